"""The toolkit's sample contacts, recognised wherever they go, so they never reach real people.

The sample sheets (:mod:`miogram_toolkit.samples`, ``sample_data/contacts.xlsx``) hold numbers
in live Iranian operator ranges: Iran sets no range aside for fiction, so each one may belong to
a real subscriber. They are for the built-in simulator only. This module keeps a fingerprint of
every sample number (the first 12 hex digits of the SHA-256 of its E.164 form, not the numbers
themselves) and refuses them, in one sentence and before any request, whenever the service a
client talks to is not on this machine (a loopback address). It lives in the sheets room, low
enough for the campaign's preflight to call it; :mod:`miogram_toolkit.samples` and the dashboard
use it too.

::

    sheet / numbers ─► E.164 ─► SHA-256[:12] ─► in SAMPLE_FINGERPRINTS?
        service on loopback ─► allowed (the simulator)
        otherwise, at least ``SAMPLE_THRESHOLD`` of them (or all, when fewer) ─► SampleNumbersError

A real sheet may share a number with the sample by chance (300 numbers among tens of millions
of subscribers): one or two matches in a sheet of other numbers are let through, a sample sheet,
a part of it or a sample number sent alone are not.

Example:
    >>> refuse_samples(["+989121000024"], "http://127.0.0.1:8765/dojob.php")  # the simulator
    >>> try:
    ...     refuse_samples(["+989121000024"], "https://miogram.net/dojob.php")
    ... except SampleNumbersError as error:
    ...     print(error)  # doctest: +ELLIPSIS
    1 of these numbers belongs to the toolkit's sample contacts...
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from miogram_toolkit.local.hosts import is_loopback_host

__all__ = ["SAMPLE_FINGERPRINTS", "SAMPLE_THRESHOLD", "SampleNumbersError", "fingerprint",
           "is_local_service", "refuse_samples", "sample_numbers_in"]

#: How many sample numbers make a sheet "the sample" (or all of its numbers, when fewer).
SAMPLE_THRESHOLD = 5

# Every number of the campaign sample (its Contacts and Unsubscribed sheets), fingerprinted.
# tests/test_demo.py checks this list against what miogram_toolkit.samples generates.
SAMPLE_FINGERPRINTS: frozenset[str] = frozenset("""
    00cd15bfc1eb 013654e050f3 021426a80a26 025feba33dad 027753b582f3 0347867ca58d 038184cf4a24
    038552623780 044a0f3751f1 04a66ca24255 05b7ea944ae7 06bcd66f6770 06e0902c50bf 083dd4cc5ab5
    09d0af10d183 09f643c39608 0abd568f1704 0b22a85d54fb 0b6299686277 0be007ef0558 0e025e88c62f
    0e2567ec9aff 0f05e592e2fd 10812f51ac77 1110e7b04768 11785943dc9f 129dbc08e230 13a328597e5c
    13fb3dd45b82 142234b09c78 145abbdd1abe 148b119cd817 16591c1036b0 17e07a44ce67 18514e529692
    1a8db3c9eba9 1b87c34688f3 1beb12215db5 1c4e240c5120 1cb726eb9d05 1e56c84e51b3 1fecb2ad5bd8
    20d97b7cb878 21a1c7c7b145 220efa89fbd2 2309683ee2ce 2560e91941b1 25ffe3d2998b 2977292d8803
    299f6b183832 2a3406e01ad3 2aee521b316b 2cc0e77bc014 2ce9d599cb33 2d0fd896895a 2d98233fdc45
    2d9edacbdb8b 2e747f47e3a3 2e7cdae0f855 2f624fd89ea0 2ff85318fc55 316f32bb9587 342d8d466cae
    34b8cfacfbb6 34d53ee71233 353d80a4e4eb 35caa1de79fb 36d8178076f7 37845d08c3e8 386e29967e5e
    38b4727e53ea 3aa346f16ac6 3d9f0cd845b5 3eeb6a7911b8 424b493e32a3 42be78d47fe7 42c0c42e392a
    432f0ef4ac59 43912e26aaad 45479070a231 476ce63bf32e 479b57ae24a7 4a7ed181c58f 4be26073003a
    4dacafa8d668 4f6755980b2a 50756015db86 517d51370d38 51ea3679add8 54363b0a625e 54af34308301
    57993eebd696 57a2c47f426e 57cef9cfa444 5b7ceaf39feb 5c71a9d9a13e 5e525aa6f87e 611f49b801ff
    612e5ebe374d 616f2e5a22fc 6658874f6c74 66bff27edf47 687505ba05d2 6ad81845193e 6b70ef51aaeb
    6c3c8ac51a8c 6d2cedb3891a 6d6b81fe567e 6fd05b4412e0 70792a9c4663 71e1bb7f42b9 725bf01fc61c
    7361b11c6a2c 73cabe273328 749f8137243a 750d944185aa 766bdf1e332a 78a9b276e571 78f21c88276a
    79aacb223fbc 7a773fbf69b8 7b1bfee90c81 7b5ef484bcf7 7bd2b1f0fac2 7d117d434755 7d18604ef6b6
    7dd71b41998c 7ea5939f1cb4 7fa3e60d437c 803dec8d8be5 80fed02c9407 8248632f29f5 82db19be0409
    837e8a85c069 84dc018dc6ea 8b1ea12cc546 8b74ae9cf81c 8bcbac0e84a5 8bd292de9ad5 8d1306226413
    8d68e2020d11 8f3ce9b35543 911ae4e074b6 9194f1abb7ca 9201123f6e9d 9208411c2ce1 92bfa68d0677
    92cdf99fe600 92f57b863224 932923b4afe8 93622dfdfed4 94fc5c6520fd 95bde05bef08 9772f88a8218
    97d94f2610f0 97fab7f81be5 9953e26b91a3 99db337f2bc8 99e210778ce8 99f7ead7003e 9c399606ff04
    9c46a1a99981 9c60a8467f7e 9ccb0b87120f 9d678bfc2a06 9da73b1f57a5 9f3e32600817 a0448965bd8e
    a0a2ac91dd7f a28c01d2fe1d a568cd63fdc6 a682fd3eae13 a6df1bd00f11 a8b2234a1412 a9dedadaa04d
    aa2bf42c5669 ac7e1759de6e adb2de4583ef ae0e09911633 af2762809d2f afee9b13e0e5 b03275c91fc8
    b12493958bd9 b28e6ef99844 b3cbd5fe126a b3ccef8d34e4 b4ff5241973f b7ab6534c831 b7ac9a9fc43c
    b93c23c063e1 b947e62da8dc b9ed4ddb2519 bbf193cf09e2 bc68a24a209f bd86857d17d2 be026d349914
    bf442275997f bf5539cb0acf bf727dbeef13 bf8f7e11c5e8 c085eb460dbc c1dc5ad8e68d c29596c43c55
    c2c08a152ac6 c3b5ef4e932a c44f67886e81 c56e24391640 c5da6c4aea59 c6e58cc1c9b1 c7111ff0d56d
    c8a8c70a974d c8c2dd02ac61 c9f40da2e1cf ca4f3576c41e ca747912fcd5 cb779066a4d6 cd47aa88721c
    cd4cc51de057 cd6a378dec8a ce4cd32742d1 ce58cb89d598 ce5977fedc53 d23532deb706 d287e04e8fdf
    d28dc15eb6c8 d580c5a99b3a d734a3782344 d76e392cc307 d8151ff9d687 d98c2e94538f da49b93c3d97
    db3f43178f21 dc34053b979a dcd5021d9800 dd544ceacac1 dd7622baf467 ddf064fcd3ee ddf4efba7ce2
    debbb96d16a6 df44c0a85f90 e03bc15cf18b e0c72a15f354 e150e9f5bb68 e2d6fee26487 e33642c6cefb
    e387c4e9e044 e45a29bc1127 e4e1cb758f40 e5448c8997ba e5607f7f19fa e7c400aa134f ea7fbf6cf635
    eb000003ceb6 ec096185c96e ec14c45e95b7 f02048282360 f12bc011a19c f17200650ef2 f1c9194fb1e2
    f1f6971c9573 f48e5af7159b f552c3c44f2c f8795208cd76 f8b582269c5d f8e0cf9b7a6a fa2f7b261a8f
    fa8afb561631 fbd888abb7f5 fbdd5396ff6f fc0ecd4b694e fc0f901a1fd4 fcf55a6927ad fe732c75a0b5
""".split())


class SampleNumbersError(ValueError):
    """The toolkit's sample numbers were about to be sent through a real service.

    Attributes:
        count: how many of the given numbers are sample numbers.
    """

    def __init__(self, message: str, *, count: int) -> None:
        super().__init__(message)
        self.count = count


def fingerprint(e164: str) -> str:
    """The fingerprint of a number in E.164 form (``+98912…``).

    Example:
        >>> len(fingerprint("+989121234567"))
        12
    """
    return hashlib.sha256(e164.encode("ascii", "replace")).hexdigest()[:12]


def is_local_service(base_url: str | None) -> bool:
    """True when ``base_url`` names a service on this machine (``localhost`` or loopback).

    Example:
        >>> is_local_service("http://[::1]:8765/dojob.php"), is_local_service("https://miogram.net")
        (True, False)
    """
    return is_loopback_host(urlsplit(str(base_url or "")).hostname or "")


def _numbers(frame_or_numbers: Any) -> list[str]:
    """The distinct E.164 numbers of a frame (its ``e164`` or phone column) or an iterable."""
    import pandas as pd

    from miogram_toolkit.phones import to_e164

    values: Iterable[Any] = frame_or_numbers
    if isinstance(frame_or_numbers, pd.DataFrame):
        if "e164" in frame_or_numbers.columns:
            values = frame_or_numbers["e164"]
        else:
            from miogram_toolkit.sheets.detect import find_phone_column

            values = frame_or_numbers[find_phone_column(frame_or_numbers)]
    elif isinstance(frame_or_numbers, str):
        values = [frame_or_numbers]
    cells = pd.Series(list(values), dtype=object).dropna().astype(str).unique()
    return sorted(set(to_e164(pd.Series(cells, dtype=object)).dropna().tolist()))


def sample_numbers_in(frame_or_numbers: Any) -> tuple[int, int]:
    """``(sample numbers, distinct numbers)`` found in a frame, a column or a list of numbers.

    Example:
        >>> sample_numbers_in(["0912 100 0024", "+989121234567"])
        (1, 2)
    """
    numbers = _numbers(frame_or_numbers)
    return sum(fingerprint(n) in SAMPLE_FINGERPRINTS for n in numbers), len(numbers)


def refuse_samples(frame_or_numbers: Any, base_url: str | None) -> None:
    """Raise :class:`SampleNumbersError` when sample numbers would go to a service not local.

    Args:
        frame_or_numbers: a contact frame (its ``e164`` column, else its phone column), a
            column, one number or a list of numbers, as written or in E.164.
        base_url: the address of the service the client talks to (None: a stand-in sender
            that names no service, which reaches nobody: nothing to check).

    Raises:
        SampleNumbersError: the service is not on this machine and at least
            ``SAMPLE_THRESHOLD`` of the numbers (or all of them, when fewer) are sample numbers.

    Example:
        >>> refuse_samples(["+989121234567"], "https://miogram.net/dojob.php")  # not a sample
    """
    if base_url is None or is_local_service(base_url):  # None: a stand-in names no service
        return
    found, total = sample_numbers_in(frame_or_numbers)
    if found and found >= min(SAMPLE_THRESHOLD, total):
        host = urlsplit(str(base_url or "")).hostname or "the service"
        verb = "belongs" if found == 1 else "belong"
        raise SampleNumbersError(
            f"{found} of these numbers {verb} to the toolkit's sample contacts, which may be real "
            f"people's phones: the samples are for the built-in simulator only, so nothing was "
            f"sent to {host}; load your own contact sheet to send through a real service.",
            count=found)
