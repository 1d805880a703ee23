"""The 通报 checked by looking: the docx and xlsx rendered to PDF by LibreOffice, as Word and Excel lay them out.

Skipped with a message where LibreOffice (soffice) is absent: `make test` installs it as root.
Set KEEP_RENDERED=<folder> to keep the PDFs (and look at them: pdftoppm -png -r 60 FILE.pdf page).
"""

import datetime
import io
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from docx import Document
from docx.oxml.ns import qn

from reports.periods import MONTH
from reports.services import report_build
from tests.factories import DepartmentFactory, PlanFactory, ProgressUpdateFactory, TaskFactory, one_derived_refresh

from .conftest import at

pytestmark = pytest.mark.django_db
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
A4 = (595.3, 841.9)  # points
TITLES = [
    "推动规模以上工业企业研发活动全覆盖，新增有研发活动的规上企业",
    "新认定国家高新技术企业，高新技术产业投资增长",
    "组织实施省级重点研发计划项目，攻克关键核心技术",
    "建设省级新型研发机构，提升孵化器、众创空间服务能力",
    "举办科技成果拍卖会，促进技术交易额增长",
]


@pytest.fixture
def busy_october(department_a):
    """40 overdue tasks with long titles over 6 departments, 10 behind pace with figures like 67.5%."""
    departments = [department_a, *(DepartmentFactory(name=f"第{n}科技服务中心") for n in range(5))]
    # Each block refreshes the derived state once, as an import does (per row: ~0.3 s each).
    with time_machine.travel(at("2025-09-01"), tick=False), one_derived_refresh():
        plan = PlanFactory(bureau="嘉兴市科学技术局", title="2025年嘉兴市科技工作要点")
        old = PlanFactory(
            year=2024,
            bureau="嘉兴市科学技术局",
            title="2024年嘉兴市科技工作要点",
            period_start=datetime.date(2024, 1, 1),
            period_end=datetime.date(2024, 12, 31),
        )
        for n in range(40):
            TaskFactory(
                plan=old if n % 4 == 0 else plan,
                code=f"{n // 10 + 1}.{n % 10 + 1}",
                title=TITLES[n % len(TITLES)] + f"（{n + 1}）",
                lead_department=departments[n % len(departments)],
                deadline=datetime.date(2025, 10, 1) - datetime.timedelta(days=n * 3),
                target_value=Decimal(1200),
            )
        slow = [
            TaskFactory(plan=plan, code=f"9.{n}", title=TITLES[n % 5], lead_department=departments[n % 6])
            for n in range(10)
        ]
    with one_derived_refresh():
        for n, task in enumerate(slow):
            ProgressUpdateFactory(
                task=task, value=Decimal(270 - n), reported_at=at("2025-10-20"), reviewed_at=at("2025-10-21")
            )
    return plan


def render(data: bytes, suffix: str, folder: Path) -> Path:
    source = folder / f"report.{suffix}"
    source.write_bytes(data)
    subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "pdf", str(source)],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = folder / f"report.{suffix}.pdf"
    (folder / "report.pdf").rename(pdf)
    if keep := os.environ.get("KEEP_RENDERED"):
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(pdf, Path(keep) / pdf.name)
        shutil.copy(source, Path(keep) / source.name)
    return pdf


def pdf_pages(pdf: Path) -> list[tuple[tuple[float, float], str]]:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        # Without the spaces PDFium puts between Chinese and Latin text: "2025 年" reads "2025年".
        return [(page.get_size(), page.get_textpage().get_text_range().replace(" ", "")) for page in document]
    finally:
        document.close()


@pytest.fixture
def built(busy_october):
    with time_machine.travel(at("2025-11-03"), tick=False):
        return report_build(kind=MONTH, day=datetime.date(2025, 10, 1), today=datetime.date(2025, 11, 3))


def test_the_docx_is_laid_out_as_a_government_document(built):
    document = Document(io.BytesIO(built.docx.read()))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [
        round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ]
    assert margins == [37, 35, 28, 26]
    title = document.paragraphs[0].runs[0]
    # Broken where its sense breaks: 嘉兴市科学技术局2025年10月 / 重点工作推进情况通报.
    assert document.paragraphs[0].text.split("\n") == ["嘉兴市科学技术局2025年10月", "重点工作推进情况通报"]
    assert title.font.size.pt == 22
    assert title.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16 and normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    fonts = {p.text: p.runs[0].element.rPr.rFonts.get(qn("w:eastAsia")) for p in document.paragraphs if p.runs}
    assert fonts["一、总体情况"] == "黑体" and fonts["（一）分计划情况"] == "楷体_GB2312"
    # 落款: the office, then the date in full, the last two paragraphs, at the right.
    assert [p.text for p in document.paragraphs[-2:]] == ["嘉兴市科学技术局", "2025年11月3日"]
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "— " in section.footer.paragraphs[0].text
    for table in document.tables:
        header = table.rows[0]._tr.trPr
        assert header.find(qn("w:tblHeader")) is not None and header.find(qn("w:cantSplit")) is not None
        widths = [cell.width for cell in table.rows[0].cells]
        assert len(set(widths)) > 1 or len(widths) == 1  # sized to content, not equal


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice (soffice) is not installed: `make test` installs it as root")
def test_the_docx_renders_on_a4_with_page_numbers_and_no_number_split_in_a_cell(built, tmp_path):
    pages = pdf_pages(render(built.docx.read(), "docx", tmp_path))
    assert 3 <= len(pages) <= 8
    for number, (size, text) in enumerate(pages, start=1):
        assert size == pytest.approx(A4, abs=1)
        assert re.search(rf"—\s*{number}\s*—", text), f"page {number} has no page number"
    text = "\n".join(t for _, t in pages)
    # Numbers are whole on their lines: no percent, date or count broken by a line end.
    lines = text.splitlines()
    for line in lines:
        assert not re.search(r"\d[.\-]$", line.strip()), f"a number breaks at the end of {line!r}"
        assert not re.match(r"^(%|\.\d|-\d)", line.strip()), f"a number's tail begins {line!r}"
    for figure in ("2025-09-29", "2024-12-31", "100.0%"):
        assert figure in text or figure not in built.docx.read().decode("latin-1")
    # The header row is repeated: the overdue list's header appears on more than one page.
    assert sum("重点任务" in t for _, t in pages) >= 3
    assert "嘉兴市科学技术局" in pages[-1][1] and "2025年11月3日" in pages[-1][1]


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice (soffice) is not installed: `make test` installs it as root")
def test_the_xlsx_prints_on_a4_landscape_with_the_summary_on_one_page(built, tmp_path):
    pages = pdf_pages(render(built.xlsx.read(), "xlsx", tmp_path))
    assert all(size == pytest.approx((A4[1], A4[0]), abs=1) for size, _ in pages)
    assert "各状态任务数" in pages[0][1] and "2025年嘉兴市科技工作要点" in pages[0][1]  # summary, chart and plans
    assert "科室排名" not in pages[0][1]
    # 40 overdue and 10 behind tasks, 4 sheets: a handful of pages, not one per task.
    assert len(pages) <= 8
    late = [t for _, t in pages if "逾期任务清单" in t]
    assert late and all("完成时限" in t for t in late)  # the header row repeated on each page
