"""Zip bundles: members in name order, one nested level, junk skipped, bad members reported,
dangerous bundles refused."""

import io
import zipfile

import pytest

from archive.ingest import formats
from archive.ingest.formats import Extracted, Failed, FormatError, Limits

from .documents import gbk_named_zip, recovered


def _zip(members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bundle(documents):
    return formats.read(documents["zip_bundle"])


def test_zip_members_come_in_name_order_with_nested_zip_opened_once(bundle):
    assert [item.name for item in bundle] == [
        "bundle.zip/inner.zip/deeper.zip",
        "bundle.zip/inner.zip/inner-note.txt",
        "bundle.zip/notes.xls",
        "bundle.zip/reports/002.docx",
        "bundle.zip/reports/003-gb18030.txt",
        "bundle.zip/reports/broken.docx",
        "bundle.zip/web/page.html",
    ]
    deeper = bundle[0]
    assert isinstance(deeper, Failed) and "超过一层" in deeper.error
    assert isinstance(bundle[1], Extracted) and bundle[1].plain() == "内层压缩包里的说明文字。"


def test_zip_junk_and_directories_are_skipped(bundle):
    names = " ".join(item.name for item in bundle)
    assert "__MACOSX" not in names and ".DS_Store" not in names


def test_zip_readable_members_are_read_with_their_own_adapter(bundle, documents, seed_texts):
    by_name = {item.name: item for item in bundle}
    docx = by_name["bundle.zip/reports/002.docx"]
    assert docx.format == "docx" and recovered(seed_texts["002"], docx.plain()) >= 0.98
    assert docx.data == documents["docx/002"].read_bytes()
    txt = by_name["bundle.zip/reports/003-gb18030.txt"]
    assert txt.encoding == "gb18030" and txt.plain() == seed_texts["003"].rstrip("\n")
    assert by_name["bundle.zip/web/page.html"].format == "html"


def test_zip_bad_member_is_reported_without_failing_the_rest(bundle):
    by_name = {item.name: item for item in bundle}
    broken = by_name["bundle.zip/reports/broken.docx"]
    assert isinstance(broken, Failed) and "《bundle.zip/reports/broken.docx》" in broken.error and "损坏" in broken.error
    unsupported = by_name["bundle.zip/notes.xls"]
    assert isinstance(unsupported, Failed) and "不支持 .xls" in unsupported.error
    assert sum(isinstance(item, Extracted) for item in bundle) == 4


def test_zip_encrypted_member_is_reported(documents):
    [item] = formats.read(documents["zip_encrypted_member"])
    assert isinstance(item, Failed) and item.name == "locked.zip/secret.txt" and "加密" in item.error


def test_zip_member_names_stored_in_gbk_are_decoded(documents):
    [item] = formats.read(documents["zip_gbk_names"])
    assert item.name == "gbk-names.zip/报告.txt" and item.plain() == "株洲市改革报告正文。"


def test_zip_member_with_dotdot_is_refused(documents):
    with pytest.raises(FormatError) as excinfo:
        formats.read(documents["zip_dotdot"])
    message = str(excinfo.value)
    assert "《dotdot.zip》" in message and "“../evil.txt”" in message and "不安全" in message


@pytest.mark.parametrize("member", ["/etc/evil.txt", "C:/Windows/evil.txt", "a/../../evil.txt", "a\\..\\evil.txt"])
def test_zip_member_with_absolute_or_climbing_path_is_refused(member):
    with pytest.raises(FormatError, match="不安全"):
        formats.read_bytes(_zip([("ok.txt", "正常。".encode()), (member, b"x")]), "bad.zip")


def test_zip_bomb_is_refused(documents):
    with pytest.raises(FormatError) as excinfo:
        formats.read(documents["zip_bomb"])
    assert "《bomb.zip》" in str(excinfo.value) and "压缩炸弹" in str(excinfo.value)


def test_zip_over_total_uncompressed_limit_is_refused():
    data = _zip([(f"{i}.txt", ("株洲" * 20000).encode()) for i in range(3)])
    with pytest.raises(FormatError, match="解压后"):
        formats.read_bytes(data, "大.zip", limits=Limits(max_total_uncompressed=300_000))


def test_zip_with_too_many_members_is_refused(documents):
    with pytest.raises(FormatError) as excinfo:
        formats.read(documents["zip_many"])
    assert "201 个文件" in str(excinfo.value) and "200" in str(excinfo.value)
    with pytest.raises(FormatError, match="4 个文件"):
        formats.read_bytes(_zip([(f"{i}.txt", "文字。".encode()) for i in range(4)]), "小.zip", limits=Limits(max_files=3))


def test_nested_zip_members_count_towards_the_file_limit():
    inner = _zip([(f"{i}.txt", "文字。".encode()) for i in range(3)])
    result = formats.read_bytes(_zip([("a.txt", "文字。".encode()), ("inner.zip", inner)]), "外.zip", limits=Limits(max_files=3))
    assert [type(item).__name__ for item in result] == ["Extracted", "Failed"]
    assert "超过" in result[1].error


def test_zip_member_over_max_bytes_fails_alone():
    data = _zip([("big.txt", ("株" * 400).encode()), ("small.txt", "小。".encode())])
    big, small = formats.read_bytes(data, "b.zip", limits=Limits(max_bytes=1000))
    assert isinstance(big, Failed) and "超过导入上限" in big.error
    assert isinstance(small, Extracted)


def test_corrupt_zip_is_refused(documents):
    with pytest.raises(FormatError) as excinfo:
        formats.read(documents["corrupt_zip"])
    assert "《corrupt.zip》" in str(excinfo.value) and "损坏" in str(excinfo.value)


def test_gbk_named_zip_helper_really_stores_gbk():
    data = gbk_named_zip([("报告.txt", b"x")])
    assert "报告.txt".encode("gbk") in data and "报告.txt".encode("utf-8") not in data
    info = zipfile.ZipFile(io.BytesIO(data)).infolist()[0]
    assert not info.flag_bits & 0x800
