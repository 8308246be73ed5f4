"""The campaign sample: a contact sheet of a few hundred rows, opt-outs, a photo and a message.

Generated, not stored: the same seed gives the same rows every time, so the demo works from an
installed package (no repository folder needed) and ``sample_data/`` in the repository holds
exactly what :func:`write_samples` writes (``sample_data/make_samples.py`` calls it). Every
number is fictional (Iranian mobiles ``09xx 1xx xxxx`` of made-up subscribers; the foreign ones
use ``000`` blocks or the US ``555-01xx`` range kept for fiction) — but Iran has no range kept
for fiction, so each Iranian one may belong to a real subscriber: the samples are for the
built-in simulator only. :mod:`miogram_toolkit.sheets.sample_marks` recognises every sample
number and refuses them whenever the service is not on this machine; :func:`sample_sheets`
offers the sample sheets only to a local service.

What is in it::

    contacts.xlsx  sheet Contacts      customer_id, name, mobile, city, segment  (300 rows)
                   sheet Unsubscribed  Name, Phone, Date  (opt-outs, written differently)
    contacts.csv   the Contacts rows as UTF-8 text
    photo.png      a small image for a photo campaign
    message.txt    a Persian message with {name} and {city} placeholders

The ``mobile`` column holds numbers the way people write them: spaces, dashes, dots, brackets,
``+98``/``0098``/``98``, the leading zero lost, Persian and Arabic-Indic digits, Excel's float
text, labels, non-breaking spaces; in the workbook some are Excel numbers, as Excel stores a
pasted column. About one row in twelve is unusable (empty, too short, a landline, a foreign
number) and a few are the same person twice.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sorted(p.name for p in write_samples(Path(folder)).values())
    ['contacts.csv', 'contacts.xlsx', 'message.txt', 'photo.png']
    >>> len(contact_rows())
    300
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from pathlib import Path
from typing import Any

from miogram_toolkit.local import data_path
from miogram_toolkit.sheets.sample_marks import is_local_service

__all__ = ["MESSAGE", "SAMPLE_DIR", "contact_rows", "sample_path", "sample_sheets",
           "unsubscribed_rows", "write_samples"]

#: The ``sample_data/`` folder of a toolkit checkout (an installed package has none).
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"

#: The demo's message: Persian, personalised from the sheet's ``name`` and ``city`` columns.
MESSAGE = ("سلام {name} عزیز! 🌷\n"
           "حراج پاییزه فروشگاه ما در {city} از شنبه شروع می‌شود: تا ۳۰٪ تخفیف.\n"
           "برای لغو دریافت پیام، عدد ۱۱ را بفرستید.\n")

ROWS = 300
SEED = 1403
HEADER = ("customer_id", "name", "mobile", "city", "segment")

_PERSIAN_FIRST = ("علی مریم رضا زهرا محمد فاطمه حسین نرگس امیر سارا "
                  "مهدی الهام کوروش شیما نیما پریسا آرمان هستی بهاره سینا").split()
_PERSIAN_LAST = ["رضایی", "احمدی", "کریمی", "حسینی", "موسوی", "صادقی", "نوری", "کاظمی", "امینی",
                 "مرادی", "بهرامی", "شریفی", "یزدانی", "رستمی", "فراهانی", "قربانی", "نیک‌نام"]
_LATIN_FIRST = ["Ali", "Sara", "Reza", "Neda", "Amir", "Laleh", "Omid", "Arash", "Mina", "Shirin",
                "Navid", "Roya", "Kaveh", "Dariush", "Ahmad", "Zahra", "Babak", "Parisa"]
_LATIN_LAST = ["Mohammadi", "Karimi", "Rahimi", "Ghasemi", "Jafari", "Nouri", "Kazemi", "Moradi",
               "Heidari", "Tehrani", "Farhadi", "Rahmani", "Hashemi", "Mousavi", "Zand", "Bagheri"]
_CITIES_FA = ["تهران", "تهران", "اصفهان", "مشهد", "شیراز", "تبریز", "کرج", "رشت", "قم", "یزد"]
_CITIES_EN = ["Tehran", "Tehran", "Isfahan", "Mashhad", "Shiraz", "Tabriz", "Karaj", "Rasht"]
_SEGMENTS = ["regular"] * 6 + ["vip"] * 2 + ["new"] * 2
_OPERATORS = ["912", "912", "912", "935", "919", "901", "990", "937", "930", "921", "939"]

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# How a national number 09xx xxx xxxx ends up in a cell: each style takes the ten digits after
# the leading zero ("9121000001") and returns what a person (or Excel) wrote.
_STYLES: list[Any] = [
    lambda d: f"0{d[:3]} {d[3:6]} {d[6:]}",
    lambda d: f"0{d}",
    lambda d: f"+98 {d[:3]} {d[3:6]} {d[6:]}",
    lambda d: f"+98{d}",
    lambda d: f"0098{d}",
    lambda d: f"98{d}",
    lambda d: d,                                              # the leading zero lost
    lambda d: f"0{d[:3]}-{d[3:6]}-{d[6:]}",
    lambda d: f"(0{d[:3]}) {d[3:6]} {d[6:]}",
    lambda d: f"0{d[:3]}.{d[3:6]}.{d[6:]}",
    lambda d: f"0{d}".translate(_PERSIAN_DIGITS),
    lambda d: f"۰{d[:3]} {d[3:6]} {d[6:]}".translate(_PERSIAN_DIGITS),
    lambda d: f"0{d}".translate(_ARABIC_DIGITS),
    lambda d: f"{d[0]}.{d[1:]}E9",                             # Excel's float text
    lambda d: f"{d}.0",
    lambda d: f"tel: 0{d[:3]} {d[3:6]} {d[6:]}",
    lambda d: f"موبایل: ۰{d}".translate(_PERSIAN_DIGITS),
    lambda d: f"0{d[:3]}\u00a0{d[3:6]}\u00a0{d[6:]}",
    lambda d: f"+98-{d[:3]}-{d[3:6]}-{d[6:]}",
    lambda d: f"0{d} ",
]

# Cells no campaign can use, each kept on purpose.
_UNUSABLE = ["", "", "12345", "0912100000123456", "n/a", "021 8888 1234", "031 3222 0000",
             "+44 7911 000123", "+1 202 555 0143", "0000000000", "abc", "0912 100 00"]


def _national(index: int, rng: random.Random) -> str:
    operator = _OPERATORS[index % len(_OPERATORS)]
    return f"{operator}{1000000 + index * 37 + rng.randrange(37):07d}"


def contact_rows() -> list[tuple[str, str, str | int, str, str]]:
    """The Contacts rows ``(customer_id, name, mobile, city, segment)``, the same every call.

    ``mobile`` is an ``int`` where the workbook stores an Excel number (the CSV writes its
    digits). Every twelfth row is unusable and rows 50, 120, 210 and 280 repeat an earlier
    person's number in another form.

    Example:
        >>> rows = contact_rows()
        >>> rows[0][0], rows[-1][0]
        ('C001', 'C300')
    """
    return _generate()[0]


def _generate() -> tuple[list[tuple[str, str, str | int, str, str]], list[str]]:
    rng = random.Random(SEED)
    rows: list[tuple[str, str, str | int, str, str]] = []
    digits: list[str] = []
    for index in range(ROWS):
        persian = rng.random() < 0.6
        if persian:
            name = f"{rng.choice(_PERSIAN_FIRST)} {rng.choice(_PERSIAN_LAST)}"
            city = rng.choice(_CITIES_FA)
        else:
            name = f"{rng.choice(_LATIN_FIRST)} {rng.choice(_LATIN_LAST)}"
            city = rng.choice(_CITIES_EN)
        national = _national(index, rng)
        digits.append(national)
        mobile: str | int
        if index % 12 == 11:
            mobile = _UNUSABLE[(index // 12) % len(_UNUSABLE)]
        elif index in (50, 120, 210, 280):
            # the same person again, written another way
            mobile = _STYLES[(index + 3) % len(_STYLES)](digits[index - 47])
        elif index % 9 == 4:
            mobile = int(national)                            # an Excel number: zero gone
        else:
            mobile = _STYLES[rng.randrange(len(_STYLES))](national)
        rows.append((f"C{index + 1:03d}", name, mobile, city, rng.choice(_SEGMENTS)))
    return rows, digits


def unsubscribed_rows() -> list[tuple[str, str, dt.date]]:
    """The opt-outs ``(Name, Phone, Date)``: contacts who asked to hear no more.

    Their phones are written differently from the Contacts sheet, so only a cleaned comparison
    finds them.

    Example:
        >>> len(unsubscribed_rows())
        10
    """
    rows, digits = _generate()
    out = []
    for number, index in enumerate((2, 17, 33, 60, 75, 98, 140, 177, 230, 265)):
        name, national = rows[index][1], digits[index]
        phone = f"+98 {national[:3]} {national[3:6]} {national[6:]}"
        out.append((name, phone, dt.date(2024, 6, 1) + dt.timedelta(days=3 * number)))
    return out

def sample_path(name: str = "contacts.csv") -> Path:
    """The path of a file in a toolkit checkout's ``sample_data/`` folder.

    Example:
        >>> sample_path("contacts.xlsx").name
        'contacts.xlsx'
    """
    return SAMPLE_DIR / name


def sample_sheets(base_url: str | None = None) -> dict[str, Path]:
    """The sample contact sheets a person may pick, by name; none unless the service is local.

    From the checkout's ``sample_data/`` when there is one; an installed package writes them
    once into the user data folder (``samples/``).

    Args:
        base_url: the address of the service they would be sent through; None when no service
            is involved (cleaning only).

    Example:
        >>> sorted(sample_sheets("http://127.0.0.1:8765/dojob.php"))
        ['sample contacts.csv', 'sample contacts.xlsx']
        >>> sample_sheets("https://miogram.net/dojob.php")
        {}
    """
    if base_url is not None and not is_local_service(base_url):
        return {}
    names = ("contacts.xlsx", "contacts.csv")
    if not all(sample_path(name).is_file() for name in names):
        folder = data_path("samples")
        if not all((folder / name).is_file() for name in names):
            write_samples(folder)
        return {f"sample {name}": folder / name for name in names}
    return {f"sample {name}": sample_path(name) for name in names}


def write_samples(folder: Path) -> dict[str, Path]:
    """Write the campaign sample files into ``folder`` (which must exist); return their paths.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     paths = write_samples(Path(folder))
        ...     paths["photo"].read_bytes()[:4]
        b'\\x89PNG'
    """
    paths = {
        "contacts": folder / "contacts.xlsx",
        "csv": folder / "contacts.csv",
        "photo": folder / "photo.png",
        "message": folder / "message.txt",
    }
    _write_workbook(paths["contacts"])
    _write_csv(paths["csv"])
    paths["photo"].write_bytes(_png(160, 96))
    paths["message"].write_text(MESSAGE, encoding="utf-8")
    return paths


def _csv_line(cells: tuple[Any, ...]) -> str:
    text = [str(c) for c in cells]
    return ",".join(f'"{c}"' if any(ch in c for ch in ',"\n') else c for c in text)


def _write_csv(path: Path) -> None:
    lines = [_csv_line(HEADER), *(_csv_line(row) for row in contact_rows())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_workbook(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Contacts"
    sheet.append(list(HEADER))
    for row in contact_rows():
        sheet.append(list(row))
    other = book.create_sheet("Unsubscribed")
    other.append(["Name", "Phone", "Date"])
    for name, phone, when in unsubscribed_rows():
        other.append([name, phone, when])
        other.cell(row=other.max_row, column=3).number_format = "yyyy-mm-dd"
    fixed = dt.datetime(2024, 6, 10, 12, 0)
    book.properties.created = book.properties.modified = fixed
    book.save(path)


def _png(width: int, height: int) -> bytes:
    """A small RGB gradient as PNG bytes, written without an imaging library."""
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter: none
        for x in range(width):
            raw += bytes((40 + 180 * x // width, 90 + 120 * y // height, 160))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))
