"""Reading import files, guessing the column mapping, and validating rows: no database needed."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from cxloop.customers.imports import mapping
from cxloop.customers.imports.readers import UnreadableFile, estimate_rows, open_table
from cxloop.customers.imports.rows import Problem, make_parser
from cxloop.customers.services import CustomerInput, OrderInput

KYIV = ZoneInfo("Europe/Kyiv")


def read(path):
    with open_table(path) as table:
        return table.header, list(table.rows), table


def test_utf8_with_a_byte_order_mark_loses_the_mark(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("id,ім'я\nC1,Олена\n".encode("utf-8-sig"))
    header, rows, table = read(path)
    assert header == ["id", "ім'я"]
    assert rows == [(2, ["C1", "Олена"])]
    assert table.encoding == "utf-8"


def test_windows_1251_from_a_ukrainian_excel_is_detected(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("Код;Ім'я;Пошта\nC1;Олена Коваленко;o@ukr.net\n".encode("cp1251"))
    header, rows, table = read(path)
    assert header == ["Код", "Ім'я", "Пошта"]
    assert rows == [(2, ["C1", "Олена Коваленко", "o@ukr.net"])]
    assert (table.encoding, table.delimiter) == ("cp1251", ";")


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_the_delimiter_is_sniffed(tmp_path, delimiter, name):
    path = tmp_path / f"{name}.csv"
    lines = [["id", "name", "amount"], ["C1", "Olena, Kyiv", "12,50"], ["C2", "Taras", "3"]]
    path.write_text("\n".join(delimiter.join(cells) for cells in lines) + "\n", encoding="utf-8")
    header, rows, _table = read(path)
    assert header == ["id", "name", "amount"]
    assert rows[0] == (2, ["C1", "Olena, Kyiv", "12,50"])


def test_quoted_cells_keep_their_delimiters_and_line_breaks(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_text('id,name,note\nC1,"Kovalenko, Olena","two\nlines"\nC2,Taras,\n', "utf-8")
    _header, rows, _table = read(path)
    assert rows == [(2, ["C1", "Kovalenko, Olena", "two\nlines"]), (3, ["C2", "Taras", ""])]


def test_row_numbers_are_the_spreadsheets_blank_rows_included(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("id,name\nC1,A\n\nC2,B\n", "utf-8")
    _header, rows, _table = read(path)
    assert [(number, cells) for number, cells in rows if cells] == [
        (2, ["C1", "A"]),
        (4, ["C2", "B"]),
    ]


def test_xlsx_first_sheet_is_read_with_cells_as_text(tmp_path):
    path = tmp_path / "book.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["ID", "Сума", "Дата", "Згода"])
    sheet.append([1001, 12.5, datetime(2026, 3, 17), True])
    sheet.append([1002, 300, datetime(2026, 3, 18, 14, 30), None])
    book.save(path)
    header, rows, table = read(path)
    assert table.format == "xlsx"
    assert header == ["ID", "Сума", "Дата", "Згода"]
    assert rows == [
        (2, ["1001", "12.5", "2026-03-17", "1"]),
        (3, ["1002", "300", "2026-03-18T14:30:00", ""]),
    ]
    assert estimate_rows(path) == 2


def test_an_xls_file_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(UnreadableFile, match=r"save the sheet as \.xlsx or CSV"):
        read(path)


def test_an_empty_file_is_unreadable(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("\n\n", "utf-8")
    with pytest.raises(UnreadableFile, match="empty"):
        read(path)


def test_row_count_estimate_counts_lines(tmp_path):
    path = tmp_path / "count.csv"
    path.write_text("id\n" + "".join(f"C{i}\n" for i in range(1234)), "utf-8")
    assert estimate_rows(path) == 1234


# --- mapping ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["ID", "Name", "E-mail", "Phone", "Language", "Segment", "Consent"],
            ["external_id", "name", "email", "phone", "language", "segment", "consent_email"],
        ),
        (
            ["Код клієнта", "Ім'я", "Пошта", "Телефон", "Мова", "Сегмент", "Згода на розсилку"],
            ["external_id", "name", "email", "phone", "language", "segment", "consent_email"],
        ),
        (
            ["Код клиента", "Имя", "Почта", "Телефон", "Язык", "Группа", "Согласие"],
            ["external_id", "name", "email", "phone", "language", "segment", "consent_email"],
        ),
        (["Ім’я", "Email клієнта", "id", "Місто"], ["name", "email", "external_id", ""]),
    ],
)
def test_customer_columns_are_guessed_in_english_ukrainian_and_russian(header, expected):
    assert mapping.suggest(mapping.CUSTOMERS, header) == expected


def test_order_columns_are_guessed_and_an_amount_is_not_taken_for_an_id():
    header = ["Номер замовлення", "Код клієнта", "Дата", "Сума замовлення", "Валюта", "Статус",
              "Дата доставки"]  # fmt: skip
    assert mapping.suggest(mapping.ORDERS, header) == [
        "external_id", "customer_external_id", "placed_at", "amount", "currency", "status",
        "delivered_at",
    ]  # fmt: skip


def test_unknown_columns_can_be_kept_as_attributes():
    targets = mapping.suggest(mapping.CUSTOMERS, ["id", "Loyalty card"], keep_unmapped=True)
    assert targets == ["external_id", "attribute"]


def test_a_mapping_without_an_external_id_says_what_to_do():
    problems = mapping.problems(mapping.CUSTOMERS, ["Name"], ["name"])
    assert problems == ["No column feeds “External id”; choose the column that holds it."]


def test_one_field_fed_by_two_columns_is_a_problem():
    problems = mapping.problems(
        mapping.CUSTOMERS, ["id", "a", "b"], ["external_id", "name", "name"]
    )
    assert problems == ["“Name” is fed by “a”, “b”; choose one column, skip the others."]


def test_overrides_name_columns_by_header_or_number_and_move_a_field():
    header = ["Client", "Full name", "Notes"]
    targets = mapping.suggest(mapping.CUSTOMERS, header)
    assert targets == ["name", "", ""]
    targets = mapping.apply_overrides(
        mapping.CUSTOMERS, header, targets, ["client=external_id", "2=name", "Notes=attribute"]
    )
    assert targets == ["external_id", "name", "attribute"]


def test_an_override_of_an_unknown_column_lists_the_columns():
    with pytest.raises(ValueError, match="the columns are: id, name"):
        mapping.apply_overrides(mapping.CUSTOMERS, ["id", "name"], ["", ""], ["mail=email"])


# --- rows -------------------------------------------------------------------------------------

CUSTOMER_HEADER = ["id", "name", "email", "phone", "language", "segment", "consent", "city"]
CUSTOMER_TARGETS = mapping.suggest(mapping.CUSTOMERS, CUSTOMER_HEADER, keep_unmapped=True)


def parse_customer(*cells):
    return make_parser(mapping.CUSTOMERS, CUSTOMER_HEADER, CUSTOMER_TARGETS, KYIV)(list(cells))


def test_a_good_customer_row_becomes_an_input_with_attributes():
    parsed = parse_customer(" C1 ", "Олена", "o@ukr.net", "+380 50 111-22-33", "Українська",
                            "Батьки", "так", "Київ")  # fmt: skip
    assert parsed == CustomerInput(
        "C1", name="Олена", email="o@ukr.net", phone="+380 50 111-22-33", language="uk",
        segment="Батьки", attributes={"city": "Київ"}, consent_email=True,
    )  # fmt: skip


def test_empty_cells_mean_not_given():
    assert parse_customer("C1", "", "", "", "", "", "", "") == CustomerInput("C1")


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        (("", "Olena"), "id", "id is empty; every row needs one"),
        (
            ("C1", "", "olena(at)ukr.net"),
            "email",
            "email 'olena(at)ukr.net' is not an email address; write it as name@example.com",
        ),
        (("C1", "", "", "call me"), "phone", "phone 'call me' is not a phone number"),
        (("C1", "", "", "", "de"), "language", "language 'de' is not supported; use uk, ru or en"),
        (
            ("C1", "", "", "", "", "", "maybe"),
            "consent",
            "consent 'maybe' is not yes or no; use yes/no, 1/0, так/ні or да/нет",
        ),
        (("C1", "x" * 201), "name", "name is 201 characters long; shorten it to 200"),
    ],
)
def test_bad_customer_cells_say_how_to_fix_them(cells, column, reason):
    problem = parse_customer(*cells)
    assert isinstance(problem, Problem)
    assert problem.column == column
    assert problem.reason.startswith(reason)


def test_a_row_with_more_cells_than_the_header_is_bad():
    problem = parse_customer("C1", "Kovalenko", "Olena", "", "", "", "", "", "", "extra")
    assert isinstance(problem, Problem)
    assert "put quotes around values that contain the delimiter" in problem.reason


ORDER_HEADER = ["order", "customer", "date", "amount", "currency", "status", "delivered"]
ORDER_TARGETS = mapping.suggest(mapping.ORDERS, ORDER_HEADER)


def parse_order(*cells):
    return make_parser(mapping.ORDERS, ORDER_HEADER, ORDER_TARGETS, KYIV)(list(cells))


@pytest.mark.parametrize(
    ("written", "amount"),
    [("12.5", "12.5"), ("12,50", "12.50"), ("1 234,50", "1234.50"), ("1,234.50", "1234.50"),
     ("1.234,50", "1234.50"), ("350", "350")],
)  # fmt: skip
def test_amounts_take_either_decimal_mark(written, amount):
    parsed = parse_order("O1", "C1", "2026-03-17", written)
    assert parsed.amount == Decimal(amount)


def test_an_amount_that_is_not_a_number_names_the_row_value_and_fix():
    problem = parse_order("O1", "C1", "2026-03-17", "12,5O")
    assert problem.reason == (
        "amount '12,5O' is not a number; use digits with . or , as the decimal mark"
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-03-17", datetime(2026, 3, 17, tzinfo=KYIV)),
        ("17.03.2026", datetime(2026, 3, 17, tzinfo=KYIV)),
        ("17.03.2026 14:30", datetime(2026, 3, 17, 14, 30, tzinfo=KYIV)),
        ("2026-03-17T14:30:00+00:00", datetime(2026, 3, 17, 16, 30, tzinfo=KYIV)),
    ],
)
def test_dates_are_iso_or_day_month_year(written, expected):
    assert parse_order("O1", "C1", written, "1").placed_at == expected


def test_an_american_date_is_refused_with_the_forms_that_work():
    problem = parse_order("O1", "C1", "03/17/2026", "1")
    assert problem.column == "date"
    assert "use 2026-03-17 (ISO) or 17.03.2026" in problem.reason


def test_order_status_and_currency_words_are_understood():
    parsed = parse_order("O1", "C1", "2026-03-17", "10", "грн", "Доставлено", "19.03.2026")
    assert parsed == OrderInput(
        "O1", "C1", datetime(2026, 3, 17, tzinfo=KYIV), Decimal(10), currency="UAH",
        status="delivered", delivered_at=datetime(2026, 3, 19, tzinfo=KYIV),
    )  # fmt: skip


def test_an_order_without_its_customer_or_amount_is_bad():
    assert parse_order("O1", "", "2026-03-17", "1").reason == (
        "customer is empty; every order needs it"
    )
    assert parse_order("O1", "C1", "2026-03-17", "").column == "amount"
