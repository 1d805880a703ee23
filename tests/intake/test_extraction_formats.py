"""Plans arrive as PDF, saved web pages, GBK text and .docx; what cannot be read is refused clearly.

The PDFs are made here byte by byte (tests/intake/pdf_maker.py) with a Chinese text layer in a CID
font, the way Word and WPS export them, so no network or office suite is needed.
"""

import resource
import time

import pytest

from intake.extraction import PlanReadError, extract_plan, read_document
from tests.intake import pdf_maker
from tests.intake.extraction_scoring import MORE, SEEDS

PLAN = (
    "某县科学技术局2024年工作要点\n"
    "一、主要目标\n"
    "到2026年,全县高新技术企业突破60家;科技型中小企业入库达到300家,全社会研发投入强度达到2.5%以上。\n"
    "二、重点任务\n"
    "1.上半年出台《关于加快科技创新的若干政策》。\n"
    "2.全年新认定高新技术企业12家以上,组织科技成果对接活动8场次。\n"
)


def readings(plan):
    return [
        (float(t.target.value), t.target.unit, t.target.comparator, t.deadline.isoformat())
        for t in plan.tasks
        if t.target
    ]


def test_a_pdf_with_a_chinese_text_layer_reads_like_its_text_with_its_line_breaks_joined():
    from_pdf = extract_plan(read_document(pdf_maker.make_pdf(PLAN), "要点.pdf"))
    from_text = extract_plan(PLAN)
    assert (
        readings(from_pdf)
        == readings(from_text)
        == [
            (60.0, "家", ">", "2026-12-31"),
            (300.0, "家", ">=", "2026-12-31"),
            (2.5, "%", ">=", "2026-12-31"),
            (12.0, "家", ">=", "2024-12-31"),
            (8.0, "场次", "=", "2024-12-31"),
        ]
    )
    assert (from_pdf.title, from_pdf.bureau, from_pdf.year) == ("某县科学技术局2024年工作要点", "某县科学技术局", 2024)
    assert not any("- 1 -" in task.source for task in from_pdf.tasks)  # page numbers left out


def test_a_labelled_public_document_scores_the_same_from_a_pdf():
    path = MORE / "03_dachang_2018.txt"
    text = path.read_text(encoding="utf-8")
    assert readings(extract_plan(read_document(pdf_maker.make_pdf(text), "x.pdf"))) == readings(extract_plan(text))


def test_pdf_conversion_spaces_in_years_and_numbers_are_closed():
    plan = extract_plan("某县科技局 2023 年工作计划\n1. 新认定高新技术企业 15 家以上 ,技术合同成交额达到 2 亿元。")
    assert plan.year == 2023
    assert readings(plan) == [(15.0, "家", ">=", "2023-12-31"), (2.0, "亿元", ">=", "2023-12-31")]


@pytest.mark.parametrize(
    ("maker", "message"),
    [
        (pdf_maker.make_scanned_pdf, "scanned PDF"),
        (pdf_maker.make_encrypted_pdf, "password-protected"),
        (lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF", "not a readable PDF"),
        (lambda: pdf_maker.make_pdf(PLAN)[:400], "not a readable PDF"),
    ],
    ids=["scanned", "encrypted", "no pages", "cut short"],
)
def test_a_pdf_that_cannot_be_read_is_refused_with_the_reason_and_what_to_do(maker, message):
    with pytest.raises(PlanReadError, match=message) as error:
        read_document(maker(), "要点.pdf")
    assert "要点.pdf" in str(error.value)


@pytest.mark.parametrize(
    "maker", [pdf_maker.make_page_bomb, pdf_maker.make_nesting_bomb], ids=["20000 pages", "deep nesting"]
)
def test_a_pdf_bomb_is_refused_within_seconds_and_bounded_memory(maker):
    data = maker()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(PlanReadError):
        extract_plan(read_document(data, "bomb.pdf"))
    assert time.perf_counter() - started < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KB: the child holds it


def test_the_size_limit_holds_for_pdfs():
    with pytest.raises(PlanReadError, match="20 MB"):
        read_document(b"%PDF-1.7\n" + b"0" * (21 * 1024 * 1024), "big.pdf")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("要点.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
        ("要点.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
        ("要点.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),  # an old file renamed
    ],
)
def test_old_word_and_wps_files_say_how_to_save_them_as_docx_or_pdf(name, data):
    with pytest.raises(PlanReadError, match=r"save it as \.docx") as error:
        read_document(data, name)
    assert "PDF" in str(error.value)


GOVERNMENT_PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>某县科技局2024年工作要点_某县人民政府门户网站</title>
<meta name="ArticleTitle" content="某县科技局2024年工作要点"></head>
<body>
<div class="top"><a href="/">首页</a> <a href="/zwgk">政务公开</a> <a href="/zwfw">政务服务</a></div>
<div class="nav"><ul><li>2023年工作总结</li><li>新增高新技术企业50家的经验</li></ul></div>
<div class="position">当前位置:首页 &gt; 政务公开 &gt; 规划计划</div>
<table class="xxgk_table"><tr><td>发文机关:某县科技局</td><td>成文日期:2024-02-20</td></tr></table>
<div class="article">
<h1 class="article-title">某县科技局2024年工作要点</h1>
<div class="share">分享到:微信 微博</div>
<div id="zoom" class="TRS_Editor">
<p>一、主要目标</p>
<p>全年新认定高新技术企业20家以上,技术合同成交额突破3亿元,
新建省级科技创新平台2家。</p>
<p>二、重点任务</p>
<p>1.上半年出台《科技创新券实施细则》。</p>
<p>2.到2026年,建成县级以上研发机构30家。</p>
</div></div>
<div class="footer">主办单位:某县人民政府办公室 版权所有 ICP备05001234号 访问量:120万人次 联系我们</div>
<script>var visits = 1000;</script>
</body></html>"""


def test_a_saved_government_page_reads_only_its_article():
    data = GOVERNMENT_PAGE.encode("gb18030")
    plan = extract_plan(read_document(data, "content_123.html"))
    assert (plan.title, plan.bureau, plan.year) == ("某县科技局2024年工作要点", "某县科技局", 2024)
    assert readings(plan) == [
        (20.0, "家", ">=", "2024-12-31"),
        (3.0, "亿元", ">", "2024-12-31"),
        (2.0, "家", "=", "2024-12-31"),
        (30.0, "家", "=", "2026-12-31"),
    ]
    words = " ".join(task.source for task in plan.tasks)
    assert not any(furniture in words for furniture in ("首页", "分享到", "版权所有", "访问量", "经验"))
    by_title = {task.title: task for task in plan.tasks}
    assert by_title["上半年出台《科技创新券实施细则》"].deadline.isoformat() == "2024-06-30"


def test_a_web_page_with_no_plan_in_it_is_refused():
    page = (
        "<html><head><meta charset='utf-8'><title>某县人民政府</title></head><body>"
        "<div class='nav'>首页 政务公开 办事服务</div><div class='content'><p>欢迎访问某县人民政府门户网站。</p>"
        "<p>本网站由县政府办公室主办,县大数据中心承办。</p></div><div class='footer'>版权所有</div></body></html>"
    )
    with pytest.raises(PlanReadError, match="No plan items"):
        extract_plan(read_document(page.encode(), "index.htm"))


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_text_files_in_every_chinese_encoding_read_the_same(encoding):
    path = MORE / "07_gansu_2020.txt"
    text = path.read_text(encoding="utf-8")
    assert extract_plan(read_document(text.encode(encoding), "plan.txt")).as_json() == extract_plan(text).as_json()


def test_a_gbk_text_file_with_characters_only_gb18030_has_is_read():
    text = (SEEDS / "002_db6da37ce7d33ff1.txt").read_text(encoding="utf-8") + "\n附:𠀀"
    assert "𠀀" in read_document(text.encode("gb18030"), "plan.txt")


def test_a_docx_with_the_plan_in_a_table_is_read():
    import io

    import docx

    document = docx.Document()
    document.add_paragraph("某县科技局2025年工作要点")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "1.", "新认定高新技术企业10家以上。"
    table.cell(1, 0).text, table.cell(1, 1).text = "2.", "技术合同成交额达到2亿元。"
    buffer = io.BytesIO()
    document.save(buffer)
    plan = extract_plan(read_document(buffer.getvalue(), "要点.docx"))
    assert readings(plan) == [(10.0, "家", ">=", "2025-12-31"), (2.0, "亿元", ">=", "2025-12-31")]


def test_a_page_without_a_title_tag_takes_the_articles_heading_not_the_sites_banner():
    page = (
        "<html><head><meta charset='utf-8'><title>某市三年行动方案(2024-2026年) - 某市人民政府</title></head><body>"
        "<div class='site-header'><h1>某市人民政府门户网站</h1></div><div class='main-nav'>首页 政务公开</div>"
        "<div class='detail'><h2>某市科技局关于2025年重点工作的安排</h2>"
        "<p>2025年,全市力争新认定高新技术企业300家,技术合同成交额达到80亿元。</p></div></body></html>"
    )
    plan = extract_plan(read_document(page.encode(), "detail.html"))
    assert plan.title == "某市科技局关于2025年重点工作的安排"
    assert readings(plan) == [(300.0, "家", ">=", "2025-12-31"), (80.0, "亿元", ">=", "2025-12-31")]
