"""Regenerate the sample files in this folder.

The campaign sample (``contacts.xlsx``, ``contacts.csv``, ``photo.png``, ``message.txt``) comes
from :mod:`miogram_toolkit.samples`, which the demo also uses when the toolkit is installed
without this folder. The messy sheets below are written out by hand, so each messy form is there
on purpose; all files are the same every time (an .xlsx differs only in the timestamps inside
the zip). Every number is
fictional: Iranian mobiles use subscriber numbers like ``100 00xx``; the foreign ones use
``000`` blocks or the US ``555-01xx`` range kept for fiction.

Example:
    $ .venv/bin/python sample_data/make_samples.py
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import openpyxl

from miogram_toolkit.samples import write_samples

HERE = Path(__file__).resolve().parent

# (customer_id, name, mobile as the sheet holds it, city, source, note)
CONTACTS = [
    ("C001", "علی رضایی", "0912 100 0001", "تهران", "instagram", ""),
    ("C002", "Sara Mohammadi", "+98 912 100 0002", "Tehran", "website", ""),
    ("C003", "مریم احمدی", "00989121000003", "اصفهان", "shop", ""),
    ("C004", "Reza Karimi", "9121000004", "Shiraz", "excel import", "leading zero lost"),
    ("C005", "زهرا حسینی", "۰۹۱۲۱۰۰۰۰۰۵", "مشهد", "instagram", ""),
    ("C006", "Neda Rahimi", "9.121000006E9", "Tabriz", "excel import", ""),
    ("C007", "محمد کریمی", "09121000007", "تهران", "shop", ""),
    ("C008", "Amir Ghasemi", "0912-100-0008", "Karaj", "website", ""),
    ("C009", "فاطمه موسوی", "(0912) 100 0009", "قم", "website", ""),
    ("C010", "Hossein Jafari", "0912.100.0010", "Rasht", "shop", ""),
    ("C011", "نرگس صادقی", "+989121000011", "تهران", "telegram", ""),
    ("C012", "Ali Nouri", "989121000012", "Yazd", "crm", ""),
    ("C013", "رضا نوری", "9121000013.0", "کرمان", "excel import", ""),
    ("C014", "Laleh Kazemi", "٠٩١٢١٠٠٠٠١٤", "Ahvaz", "website", "Arabic-Indic digits"),
    ("C015", "سارا کاظمی", "tel: 0912 100 0015", "تهران", "crm", ""),
    ("C016", "پویا امینی", "موبایل: ۰۹۱۲ ۱۰۰ ۰۰۱۶", "ساری", "crm", ""),
    ("C017", "Kian Moradi", "0935 200 0017 / 0912 100 0018", "Tehran", "shop", "two numbers"),
    ("C018", "شیما بهرامی", "", "تهران", "shop", "no phone given"),
    ("C019", "Office Valiasr", "021 8888 1234", "Tehran", "crm", "landline"),
    ("C020", "علی رضایی", "+989121000001", "تهران", "website", "same person as C001"),
    ("C021", "Emily Clark", "+44 7911 000123", "London", "website", "UK mobile"),
    ("C022", "John Smith", "+1 202 555 0143", "Washington", "website", "US number"),
    ("C023", "حامد شریفی", "12345", "تبریز", "instagram", "too short"),
    ("C024", "Parisa Akbari", "0912100000123456", "Tehran", "crm", "too long"),
    ("C025", "مهدی یزدانی", "n/a", "یزد", "shop", ""),
    ("C026", "Babak Soltani", "9.121000026e+09", "Isfahan", "excel import", ""),
    ("C027", "الهام رستمی", "0901 300 0027", "تهران", "instagram", ""),
    ("C028", "Omid Heidari", "0919 400 0028", "Mashhad", "website", ""),
    ("C029", "سمانه فراهانی", "0098 912 100 0029", "اراک", "crm", ""),
    ("C030", "Arash Tehrani", "+98 (912) 100-0030", "Tehran", "website", ""),
    ("C031", "نازنین قربانی", "0912\u00a0100\u00a00031", "تهران", "website", "non-breaking spaces"),
    ("C032", "محمد کریمی", "09121000007", "تهران", "instagram", "same as C007"),
    ("C033", "Isfahan branch", "031 3222 0000", "Isfahan", "crm", "landline"),
    ("C034", "بهاره نیک‌نام", "۰۹۳۵ ۲۰۰ ۰۰۳۴", "شیراز", "telegram", ""),
    ("C035", "Daniel Weber", "0044 7911 000456", "Manchester", "website", "UK mobile, 00"),
    ("C036", "کوروش مرادی", "0990 500 0036", "کرج", "instagram", ""),
    ("C037", "Mina Farhadi", "0937 600 0037", "Tehran", "shop", ""),
    ("C038", "یاسمن عباسی", "۹۱۲۱۰۰۰۰۳۸", "رشت", "telegram", "Persian digits, no zero"),
    ("C039", "Saeed Rahmani", "0912 100 00", "Qom", "shop", "digits missing"),
    ("C040", "فرهاد کامرانی", "+98 912 100 0040", "تهران", "website", ""),
    ("C041", "Shirin Ebrahimi", "0930 700 0041", "Kish", "crm", ""),
    ("C042", "آرمان صفری", "09121000042", "همدان", "shop", ""),
    ("C043", "Leila Nasiri", "abc", "Tehran", "website", "typing mistake"),
    ("C044", "هستی جلالی", "0912 100 0044", "تهران", "instagram", ""),
    ("C045", "Navid Hashemi", "+98-912-100-0045", "Tabriz", "website", ""),
    ("C046", "سینا مختاری", "989351000046", "اهواز", "crm", ""),
    ("C047", "Roya Mousavi", "9351000047", "Isfahan", "excel import", ""),
    ("C048", "ترانه ملکی", "0912/100/0048", "تهران", "shop", ""),
    ("C049", "Kaveh Zand", "+989121000011", "Tehran", "crm", "same as C011"),
    ("C050", "Tehran office", "+98 21 8888 1234", "Tehran", "crm", "landline"),
    ("C051", "پریا سلیمانی", "۰۰۹۸۹۱۲۱۰۰۰۰۵۱", "قزوین", "telegram", ""),
    ("C052", "Dariush Kamali", "0912 100 0052 ", "Tehran", "website", "trailing space"),
    ("C053", "لیلا حیدری", "0921 800 0053", "تهران", "instagram", ""),
    ("C054", "Ahmad Bagheri", "9121000054", "Karaj", "excel import", ""),
    ("C055", "نیما رفیعی", "+۹۸ ۹۱۲ ۱۰۰ ۰۰۵۵", "تهران", "telegram", ""),
    ("C056", "Hamid Azizi", "0000000000", "Rasht", "crm", "placeholder"),
    ("C057", "مونا اکبرزاده", "09391000057", "تهران", "shop", ""),
    ("C058", "Zahra Nikpour", "+98 912 100 0058", "Qom", "website", ""),
    ("C059", "رامین توکلی", "0912 100 0059", "کرمانشاه", "instagram", ""),
    ("C060", "Elham Rostami", "", "Tehran", "website", "no phone given"),
]

# The Excel sheet: how Excel stores a pasted phone column once it has decided they are numbers.
# (name, mobile cell value, zero-padding number format or None, city, joined, orders)
WORKBOOK_CUSTOMERS = [
    ("Ali Rezaei", 9121000101, None, "Tehran", dt.date(2024, 1, 5), 3),
    ("مریم احمدی", 9121000102.0, None, "اصفهان", dt.date(2024, 1, 9), 1),
    ("Sara Mohammadi", 989121000103, None, "Tehran", dt.date(2024, 2, 1), 7),
    ("رضا نوری", "0912 100 0104", None, "کرمان", dt.date(2024, 2, 3), 2),
    ("Neda Rahimi", 9121000105, "00000000000", "Tabriz", dt.date(2024, 2, 14), 4),
    ("زهرا حسینی", 9351000106, None, "مشهد", dt.date(2024, 3, 1), 0),
    ("Amir Ghasemi", 9121000107.0, None, "Karaj", dt.date(2024, 3, 8), 5),
    ("فاطمه موسوی", None, None, "قم", dt.date(2024, 3, 20), 1),
    ("Office Valiasr", 2188881234, None, "Tehran", dt.date(2024, 4, 2), 12),
    ("حسین جعفری", "09121000110", None, "رشت", dt.date(2024, 4, 11), 2),
    ("Emily Clark", 447911000123, None, "London", dt.date(2024, 5, 6), 1),
    ("نرگس صادقی", 9121000101, None, "تهران", dt.date(2024, 5, 30), 6),
]
WORKBOOK_UNSUBSCRIBED = [
    ("Kian Moradi", "+98 935 200 0017", dt.date(2024, 6, 1)),
    ("شیما بهرامی", "۰۹۱۲ ۱۰۰ ۰۰۱۸", dt.date(2024, 6, 3)),
    ("Babak Soltani", "09121000026", dt.date(2024, 6, 9)),
]

# A Persian Excel "CSV" export: Windows-1256, CRLF, Persian headers, ASCII digits only (the code
# page has no Persian digits and no Persian yeh, which becomes the Arabic one).
WINDOWS_1256 = [
    ("نام", "موبایل", "شهر", "توضیحات"),
    ("علی رضایی", "09121000201", "تهران", ""),
    ("مریم احمدی", "9121000202", "اصفهان", "صفر اول حذف شده"),
    ("رضا نوری", "+989121000203", "کرمان", ""),
    ("زهرا حسینی", "0912 100 0204", "مشهد", ""),
    ("محمد کریمی", "00989121000205", "تهران", ""),
    ("فاطمه موسوی", "9.121000206E+09", "قم", ""),
    ("حسین جعفری", "", "رشت", "بدون شماره"),
    ("دفتر مرکزی", "021 8888 1234", "تهران", "تلفن ثابت"),
    ("نرگس صادقی", "0935-200-0209", "شیراز", ""),
    ("علی رضایی", "09121000201", "تهران", "تکراری"),
]


def _csv_line(cells: tuple[str, ...]) -> str:
    return ",".join(f'"{c}"' if any(ch in c for ch in ',"\n') else c for c in cells)


def write_csv(path: Path) -> None:
    header = ("customer_id", "name", "mobile", "city", "source", "note")
    lines = [_csv_line(header), *(_csv_line(row) for row in CONTACTS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_windows_1256(path: Path) -> None:
    text = "\r\n".join(_csv_line(row) for row in WINDOWS_1256) + "\r\n"
    path.write_bytes(text.replace("ی", "ي").encode("cp1256"))


def write_xlsx(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Customers"
    sheet.append(["Name", "Mobile", "City", "Joined", "Orders"])
    for name, mobile, fmt, city, joined, orders in WORKBOOK_CUSTOMERS:
        sheet.append([name, mobile, city, joined, orders])
        if fmt:
            sheet.cell(row=sheet.max_row, column=2).number_format = fmt
    for row in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = "yyyy-mm-dd"
    other = book.create_sheet("Unsubscribed")
    other.append(["Name", "Phone", "Date"])
    for name, phone, when in WORKBOOK_UNSUBSCRIBED:
        other.append([name, phone, when])
    fixed = dt.datetime(2024, 6, 10, 12, 0)
    book.properties.created = book.properties.modified = fixed
    book.save(path)


def main(folder: Path = HERE) -> None:
    write_samples(folder)
    write_csv(folder / "messy_contacts.csv")
    write_xlsx(folder / "excel_numbers.xlsx")
    write_windows_1256(folder / "contacts_windows1256.csv")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
