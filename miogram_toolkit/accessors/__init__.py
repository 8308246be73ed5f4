"""The ``.miogram`` accessors, thin namespaces side by side.

* :mod:`~miogram_toolkit.accessors.pandas_accessor`: ``s.miogram`` and ``df.miogram`` on pandas;
* :mod:`~miogram_toolkit.accessors.dask_accessor`: ``ddf.miogram.clean_phones()`` on Dask frames
  (registered when ``dask.dataframe`` is loaded, or by importing that module).

Importing this package registers the pandas accessors.
"""

from __future__ import annotations

from miogram_toolkit.accessors import pandas_accessor as pandas_accessor

__all__ = ["pandas_accessor"]
