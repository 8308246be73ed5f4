"""The two ways the simulated service can answer: one small class per dialect.

Everything that differs between the v1.2 document (as the toolkit reads it) and the service's
own implementation (``shared/spec/reference-implementation.md``) is one method of
:class:`~.document.DocumentDialect` (``document.py``) or :class:`~.reference.ReferenceDialect`
(``reference.py``), both on the shared :class:`~.base.Dialect` (``base.py``); the handlers ask
the dialect of the call and never test its name. This module names them and makes one. ::

    request ─► dialect.checks (its order) ─► handler ─► dialect.answer / send_reply / error
                                               │            │
                       dialect.check_credit ◄──┤            └─► Reply(body, gateway, trailer)
                       dialect.log_sends    ◄──┘                      │
                                                 dialect.wire(reply) ─► bytes + Content-Type

What the two dialects do differently:

==========================  ==================================  ====================================
                            ``document``                        ``reference`` (the implementation)
==========================  ==================================  ====================================
check order                 800 801 802 302 826 827 309 330     815 800 801 826 827 802 302 309,
                            307, Misc 330/812                   fields/Misc: gateway ``Error 302``
error body                  ``{"Result": false, "Status":       own: ``{"Message", "Status":
                            "error", "Message"}`` (+ ``Code``   "error", "Code": "NNN"}``; gateway:
                            int with ``error_codes``)           ``{"Message": "Error NNN : text",
                                                                "Status": "error"}`` (+ ``302``)
Content-Type                ``application/json; charset=utf-8`` own ``application/json``; gateway
                                                                ``text/html; charset=UTF-8``
getters                     ``Status: null``                    no ``Status``; flags ``"1"``/``0``
tables                      integers; sizes in MB               credits strings; sizes in bytes,
                                                                ``Message`` a string
``APIGetReport``            ``{"Result": [...]}``; ``[]``       bare array; 111 No DATA; the
                            when empty; Misc 1..999; the        account's FIRST 1000 rows, newest
                            newest ``Misc`` rows                first, sliced by Misc (empty → all)
report rows                 one per number per attempt          one per request: ``Username, DATE,
                            (schema in the README)              TIME`` (Tehran), ``IP, DATA, Number,
                                                                Delivered``; undelivered single
                                                                sends leave none; ``DATA`` as MySQL
                                                                reads the unescaped INSERT: a ``'``
                                                                → no row, emoji ``????``, ``\\n``
                                                                a newline (:mod:`.logtext`)
message length              characters ≤ ``Message``            UTF-8 bytes of text + "\\n" + ad
credit                      ≤ 1 → 305; Mass > credit − 1 →      single: credit ≥ 0 sends (to −1);
                            306, nothing sent                   Mass: credit ≥ count, else 305
undelivered single send     ``{"Result": false, "Status":       ``{"Result": false, "Message":
                            "fail"}``                           "Number Not Exist or Wrong",
                                                                "Status": "error"}`` (no Code)
WhatsApp                    ``success``; Mass a map             ``{"Result": true, "Status":
                                                                "sent"}``, every number charged
Mass, repeated number       sent and charged each time          answered and charged once
numbers without ``+``       false / 307                         read as international; one the
                                                                messenger cannot read: ``Number
                                                                Not Exist or Wrong``
``Robot`` unknown           827                                 the first agent
inactive account            826, ``APIGetActive`` ``"0"``       826 for every action
no agent                    827 for agent actions only          827 for every action
``GetHistory`` Misc         ``offset,limit``                    ``limit,offset`` (limit 0 → 1)
slow send (gateway time >    answered when done                  999 after ``gateway_timeout_s``;
``gateway_timeout_s``)                                           sent, uncharged, unlogged
``APIGetIP``                the allow-list                      the caller's address
``APISetIP``                validated IPs; ``Result`` the list  as written + ``","`` + the
                                                                server's address; ``Code "409"``
``APIChangeSecret``         24 characters                       10 hex characters; ``Code "407"``
non-POST requests           812                                 812, and 30 points each: over 100
                                                                from one address → 815 for all
==========================  ==================================  ====================================

Example:
    >>> make_dialect("reference").name, make_dialect("document").name
    ('reference', 'document')
"""

from __future__ import annotations

from miogram_toolkit.protocol.dialects import DIALECTS
from miogram_toolkit.simulator.base import Content, Dialect, Outcome
from miogram_toolkit.simulator.document import DocumentDialect
from miogram_toolkit.simulator.reference import AD_TEXT, ReferenceDialect

__all__ = ["AD_TEXT", "DIALECTS", "Content", "Dialect", "DocumentDialect", "Outcome",
           "ReferenceDialect", "make_dialect"]

def make_dialect(name: str, *, error_codes: bool = False, server_addr: str = "") -> Dialect:
    """A fresh dialect object by name (each simulator keeps its own intrusion counter).

    Raises:
        ValueError: an unknown name.

    Example:
        >>> make_dialect("reference").name, make_dialect("document").name
        ('reference', 'document')
    """
    classes: dict[str, type[Dialect]] = {"reference": ReferenceDialect,
                                         "document": DocumentDialect}
    if name not in classes:
        raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, got {name!r}")
    return classes[name](error_codes=error_codes, server_addr=server_addr)
