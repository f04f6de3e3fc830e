"""The shared spreadsheet reader: encodings, formats, headers, limits, value parsers."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from openpyxl import Workbook

from core import tabular
from core.tabular import TabularError, read_table

ALIASES = {"code": ["编码"], "name": ["名称"], "days": ["天数"]}


def problems_of(exc):
    return [(p.row, p.column, p.reason) for p in exc.value.problems]


def test_csv_utf8_with_and_without_bom_and_gbk():
    text = "编码,名称\nA1,营业执照\nA2,身份证\n"
    for data in (text.encode("utf-8"), text.encode("utf-8-sig"), text.encode("gbk"), text.encode("gb18030")):
        table = read_table(data, filename="x.csv", aliases=ALIASES)
        assert table.rows == [(2, {"code": "A1", "name": "营业执照"}), (3, {"code": "A2", "name": "身份证"})]
        assert table.label("name") == "名称"


def test_other_encoding_is_refused_clearly():
    data = "编码,名称\nA1,营业执照\n".encode("utf-16")
    with pytest.raises(TabularError) as exc:
        read_table(data, filename="x.csv", aliases=ALIASES)
    assert "UTF-8 或 GBK" in str(exc.value)


def test_xlsx_first_sheet_and_row_numbers_skip_blank_rows():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "天数"])
    sheet.append(["A1", 20])
    sheet.append([None, None])
    sheet.append(["A2", 5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), filename="x.xlsx", aliases=ALIASES)
    assert table.rows == [(2, {"code": "A1", "days": 20}), (4, {"code": "A2", "days": 5})]


def test_damaged_xlsx():
    with pytest.raises(TabularError) as exc:
        read_table(b"not a zip", filename="x.xlsx", aliases=ALIASES)
    assert "XLSX" in str(exc.value)


def test_json_array_and_object_with_items():
    rows = [{"编码": "A1", "days": 3}]
    table = read_table(json.dumps(rows).encode(), filename="x.json", aliases=ALIASES)
    assert table.rows == [(1, {"code": "A1", "days": 3})]
    table = read_table(json.dumps({"items": rows, "meta": 1}).encode(), filename="x.json", aliases=ALIASES)
    assert table.document == {"meta": 1}


def test_unknown_duplicate_and_missing_columns_reported_together():
    data = "编码,code,颜色\nA1,A1,红\n".encode()
    with pytest.raises(TabularError) as exc:
        read_table(data, filename="x.csv", aliases=ALIASES, required=["name"])
    found = problems_of(exc)
    assert (1, "颜色", "未知的列") in found
    assert any(row == 1 and column == "code" and "列重复" in reason for row, column, reason in found)
    assert any(row == 1 and "名称" in column and reason == "缺少必需的列" for row, column, reason in found)


def test_empty_file_and_header_only():
    with pytest.raises(TabularError) as exc:
        read_table(b"", filename="x.csv", aliases=ALIASES)
    assert "文件是空的" in str(exc.value)
    with pytest.raises(TabularError) as exc:
        read_table("编码,名称\n".encode(), filename="x.csv", aliases=ALIASES)
    assert "没有数据行" in str(exc.value)


def test_oversized_file_refused_before_parsing(tmp_path, settings):
    settings.MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB of NUL bytes, which would not parse anyway
    with pytest.raises(TabularError) as exc:
        read_table(path, filename="big.csv", aliases=ALIASES)
    assert "文件过大" in str(exc.value)
    assert "20.0 MB" in str(exc.value)


def test_unsupported_extension():
    with pytest.raises(TabularError) as exc:
        read_table(b"a", filename="x.txt", aliases=ALIASES)
    assert "不支持的文件类型" in str(exc.value)


def test_value_parsers_return_errors_instead_of_raising():
    assert tabular.parse_bool("是") == (True, None)
    assert tabular.parse_bool("0") == (False, None)
    assert tabular.parse_bool("") == (None, None)
    assert tabular.parse_bool("也许")[1].startswith("“也许”不是有效的是/否值")
    assert tabular.parse_int("20") == (20, None)
    assert tabular.parse_int(20.0) == (20, None)
    assert tabular.parse_int("二十")[1] == "“二十”不是整数"
    assert tabular.parse_int("-1", minimum=0)[1] == "-1 小于允许的最小值 0"
    assert tabular.parse_decimal("12.50") == (Decimal("12.50"), None)
    assert "小数" in tabular.parse_decimal("1.234")[1]
    assert tabular.parse_date("2026-01-31") == (datetime.date(2026, 1, 31), None)
    assert "不是有效日期" in tabular.parse_date("2026-02-30")[1]
    moment, error = tabular.parse_datetime("2026-01-31T09:30")
    assert error is None and moment.utcoffset() == datetime.timedelta(hours=8)
    moment, error = tabular.parse_datetime("2026-01-31T09:30:00Z")
    assert moment.utcoffset() == datetime.timedelta(0)
    assert tabular.parse_choice("承诺件", [("promised", "承诺件")]) == ("promised", None)


def test_problem_text():
    assert str(tabular.Problem(3, "承诺办结时限", "x")) == "第 3 行，“承诺办结时限”列：x"


# --- open_table: rows streamed from the file ---


def test_open_table_streams_csv_rows_one_at_a_time(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("编码,名称\n")
        for n in range(20000):
            handle.write(f'A{n},"名称{n}\n第二行"\n')
    table = tabular.open_table(path, filename="big.csv", aliases=ALIASES)
    assert table.columns == ["code", "name"]
    rows = iter(table.rows)
    assert not isinstance(table.rows, list)
    assert next(rows) == (2, {"code": "A0", "name": "名称0\n第二行"})
    *_middle, last = rows
    assert len(_middle) == 19998
    assert last == (20001, {"code": "A19999", "name": "名称19999\n第二行"})


def test_gbk_detected_past_the_first_chunk(tmp_path):
    """ASCII for the first megabyte, Chinese after: the whole file is checked, not a prefix."""
    filler = "".join(f"A{n},name{n}\n" for n in range(120000))
    data = ("编码,名称\n" + filler + "B1,营业执照\n").encode("gbk")
    assert len(data) > tabular.SCAN_CHUNK
    path = tmp_path / "gbk.csv"
    path.write_bytes(data)
    rows = list(tabular.open_table(path, filename="gbk.csv", aliases=ALIASES).rows)
    assert rows[-1][1] == {"code": "B1", "name": "营业执照"}


def test_streamed_problems_are_raised_at_the_end_with_rows_and_columns():
    data = "编码,名称\nA1,营业执照\nA2,身份证,多出来的\nA3,户口\n".encode()
    table = tabular.open_table(data, filename="x.csv", aliases=ALIASES)
    seen = []
    with pytest.raises(TabularError) as exc:
        for row in table.rows:
            seen.append(row[0])
    assert seen == [2]  # no rows after the first problem
    assert problems_of(exc) == [(3, "第 3 列", "该列没有表头，无法识别")]


def test_open_table_header_problems_and_no_rows():
    with pytest.raises(TabularError) as exc:
        list(tabular.open_table("编码,颜色\nA1,红\n".encode(), filename="x.csv", aliases=ALIASES).rows)
    assert problems_of(exc) == [(1, "颜色", "未知的列")]
    with pytest.raises(TabularError) as exc:
        list(tabular.open_table("编码,名称\n,\n".encode(), filename="x.csv", aliases=ALIASES).rows)
    assert "没有数据行" in str(exc.value)
    with pytest.raises(TabularError) as exc:
        tabular.open_table(b"  \n\n", filename="x.csv", aliases=ALIASES)
    assert "文件是空的" in str(exc.value)


def test_open_table_xlsx_read_only_and_uploaded_file(tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["编码", "名称"])
    for n in range(500):
        sheet.append([f"A{n}", f"名称{n}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("x.xlsx", buffer.getvalue())
    rows = list(tabular.open_table(upload, filename="x.xlsx", aliases=ALIASES).rows)
    assert len(rows) == 500 and rows[0] == (2, {"code": "A0", "name": "名称0"})
    with pytest.raises(TabularError) as exc:
        tabular.open_table(SimpleUploadedFile("x.xlsx", b"PK\x03\x04broken"), filename="x.xlsx", aliases=ALIASES)
    assert "无法读取 XLSX 文件" in str(exc.value)


def test_size_reported_smaller_than_the_content_is_caught(settings):
    class Lying(io.BytesIO):
        size = 10

    settings.MAX_UPLOAD_BYTES = 1024
    data = ("编码,名称\n" + "A1,x\n" * 1000).encode()
    with pytest.raises(TabularError) as exc:
        tabular.open_table(Lying(data), filename="x.csv", aliases=ALIASES)
    assert "文件过大" in str(exc.value)
