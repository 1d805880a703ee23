"""The 通报 as a docx laid out as a government document (GB/T 9704-2012), ready to send as it is.

- A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm: a 156 × 225 mm text block;
- title in 方正小标宋简体 二号, body in 仿宋_GB2312 三号 at a fixed 28 pt line (22 lines of 28 characters),
  一级 headings (一、) in 黑体, 二级 (（一）) in 楷体_GB2312;
- page numbers "— 1 —" in 宋体 四号, odd pages at the right and even pages at the left, one character in;
- 落款: the issuing office over the date, the date in full (2026年11月29日), four characters from the right;
- tables with columns sized to what they hold, header rows repeated on each page, rows that never
  break across pages, and every number kept on one line.

The fonts named are those a bureau's Word has; a machine without them substitutes its own.
"""

import io

from django.db.models import QuerySet
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from plans.pacing import Health

from .figures import COLOUR_WORDS, COLOURS
from .models import TaskSnapshot

DOCX_OVERDUE_ROWS = 30  # the 通报 lists the longest overdue and furthest behind; the xlsx has them all
TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_NUMBER_FONT = (
    "方正小标宋简体",
    "仿宋_GB2312",
    "黑体",
    "楷体_GB2312",
    "宋体",
)
TITLE_SIZE, BODY_SIZE, TABLE_SIZE, PAGE_NUMBER_SIZE = 22, 16, 10.5, 14  # 二号, 三号, 五号, 四号
LINE = Pt(28)
TEXT_WIDTH = Mm(210 - 28 - 26)
CELL_PADDING = Pt(2 * 5.4)  # Word's default left and right cell margins


def _font(target, name: str, size: float | None = None, *, bold: bool | None = None) -> None:
    # East Asian text needs the eastAsia font slot set as well, or Word falls back to a Latin font.
    target.font.name = name
    target.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        target.font.size = Pt(size)
    if bold is not None:
        target.font.bold = bold


def _page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28 - 7)  # the number sits about 7 mm below the text block
    section.start_type = WD_SECTION.NEW_PAGE
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(paragraph, alignment) -> None:
    """— 7 —: an em dash on each side, one character in from the edge (右空一字 / 左空一字)."""
    paragraph.alignment = alignment
    indent = Pt(PAGE_NUMBER_SIZE)
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = indent
    else:
        paragraph.paragraph_format.left_indent = indent
    _font(paragraph.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    run = paragraph.add_run()
    _font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def _styles(document) -> None:
    normal = document.styles["Normal"]
    _font(normal, BODY_FONT, BODY_SIZE)
    spacing = normal.paragraph_format
    spacing.line_spacing_rule, spacing.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    spacing.space_before = spacing.space_after = Pt(0)
    # The Latin text of numbers in the body: Times New Roman, as offices set it.
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:ascii"), "Times New Roman")
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:hAnsi"), "Times New Roman")


def _paragraph(document, text: str, *, font: str = BODY_FONT, indent: bool = True, alignment=None, size=BODY_SIZE):
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(2 * size)
    if alignment is not None:
        paragraph.alignment = alignment
    _font(paragraph.add_run(text), font, size)
    return paragraph


def _heading(document, text: str, level: int = 1):
    paragraph = _paragraph(document, text, font=HEADING_FONT if level == 1 else SUBHEADING_FONT)
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def _text_width(text: str, size: float) -> float:
    """Points taken by ``text`` at ``size``: a CJK character is square, Latin text a little over half as wide
    (generously: a substituted font's digits run wider than 仿宋's)."""
    return sum(size if ord(ch) >= 0x2000 else size * 0.6 for ch in text)


def column_widths(header: list[str], lines: list[list[str]], *, wide: set[int], size: float = TABLE_SIZE) -> list:
    """Each column as wide as its longest cell, so that numbers, dates and codes never wrap; the table
    fills the text block.

    Only the ``wide`` columns (titles, names) and the headers (two characters a line) may wrap. The widest
    wide column takes what the others leave; the other wide ones (a department's name) keep up to six
    characters on a line first."""
    needs = []
    for column, name in enumerate(header):
        # A header of four characters or more may take two lines.
        cells = [name if len(name) < 4 else name[: (len(name) + 1) // 2], *(line[column] for line in lines)]
        needs.append(max(_text_width(cell, size) for cell in cells) + CELL_PADDING.pt + 3)
    widths = list(needs)
    if wide:
        main = max(wide, key=needs.__getitem__)
        for column in wide - {main}:
            widths[column] = min(needs[column], 6 * size + CELL_PADDING.pt + 3)
        widths[main] = max(TEXT_WIDTH.pt - sum(w for c, w in enumerate(widths) if c != main), 6 * size)
    scale = TEXT_WIDTH.pt / sum(widths) if wide or sum(widths) > TEXT_WIDTH.pt else 1.0
    return [Pt(width * scale) for width in widths]


def _fixed_layout(table, widths) -> None:
    """Widths Word and LibreOffice both keep: the grid's columns, the table's total and a fixed layout."""
    properties = table._tbl.tblPr
    total = properties.find(qn("w:tblW"))
    total.set(qn("w:type"), "dxa")
    total.set(qn("w:w"), str(sum(int(w.twips) for w in widths)))
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        column.set(qn("w:w"), str(int(width.twips)))


def _row_properties(row, *, header: bool) -> None:
    properties = row._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    properties.append(cant_split)
    if header:
        repeat = OxmlElement("w:tblHeader")
        properties.append(repeat)


def _cell(cell, text: str, width, *, bold: bool = False, number: bool = False) -> None:
    cell.width = width
    paragraph = cell.paragraphs[0]
    format_ = paragraph.paragraph_format
    format_.first_line_indent = Pt(0)
    format_.line_spacing_rule, format_.line_spacing = WD_LINE_SPACING.SINGLE, 1.0
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if bold or number else WD_ALIGN_PARAGRAPH.LEFT
    _font(paragraph.add_run(text), BODY_FONT, TABLE_SIZE, bold=bold)


def _table(document, header: list[str], lines: list[list], *, wide: set[int] = frozenset()) -> None:
    texts = [["" if value is None else str(value) for value in line] for line in lines]
    widths = column_widths(header, texts, wide=set(wide))
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _fixed_layout(table, widths)
    _row_properties(table.rows[0], header=True)
    for cell, text, width in zip(table.rows[0].cells, header, widths, strict=True):
        _cell(cell, text, width, bold=True)
    for line in texts:
        row = table.add_row()
        _row_properties(row, header=False)
        for column, (cell, text, width) in enumerate(zip(row.cells, line, widths, strict=True)):
            _cell(cell, text, width, number=column not in wide)
    document.add_paragraph().paragraph_format.line_spacing = Pt(BODY_SIZE)


TITLE_LINE = 20  # 二号 characters on a 156 mm line


def title_lines(title: str) -> list[str]:
    """A long title broken where its sense breaks (before 重点工作…通报), not wherever the line ends."""
    cut = title.find("重点工作")
    if len(title) <= TITLE_LINE or cut <= 0 or cut > TITLE_LINE or len(title) - cut > TITLE_LINE:
        return [title]
    return [title[:cut], title[cut:]]


def _line_break():
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:br"))
    return run


def _percent_text(value) -> str:
    return "—" if value is None else f"{value:.1f}%" if isinstance(value, float) else f"{value}%"


def write_docx(figures: dict, *, overdue: QuerySet[TaskSnapshot], behind: QuerySet[TaskSnapshot]) -> bytes:
    document = Document()
    _page(document)
    _styles(document)
    title = document.paragraphs[0] if document.paragraphs else document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(35)
    title.paragraph_format.space_after = Pt(BODY_SIZE)
    for n, part in enumerate(title_lines(figures["title"])):
        run = title.add_run(part)
        _font(run, TITLE_FONT, TITLE_SIZE)
        if n:
            run._r.addprevious(_line_break())
    _paragraph(document, "各科室：" if not figures.get("department") else f"{figures['department']}：", indent=False)
    _paragraph(document, figures["summary"])

    _heading(document, "一、总体情况")
    total = figures["total"]
    _table(
        document,
        ["状态", *(COLOUR_WORDS[c] for c in COLOURS), "合计", "按期完成率"],
        [["任务数（项）", *(total[c] for c in COLOURS), total["total"], _percent_text(total["on_time_rate"])]],
    )
    if len(figures["by_plan"]) > 1:
        _heading(document, "（一）分计划情况", level=2)
        _table(
            document,
            ["计划", "任务数", *(COLOUR_WORDS[c] for c in COLOURS), "按期完成率"],
            [
                [p["name"], p["total"], *(p[c] for c in COLOURS), _percent_text(p["on_time_rate"])]
                for p in figures["by_plan"]
            ],
            wide={0},
        )

    _heading(document, "二、各科室推进情况")
    _paragraph(document, "按逾期任务数排序，逾期相同的按滞后、临近到期任务数排序。")
    _table(
        document,
        ["排名", "责任单位", "任务数", "逾期", "滞后", "已完成", "按期完成率", "平均完成率"],
        [
            [
                rank,
                d["name"],
                d["total"],
                d[Health.RED],
                d[Health.YELLOW],
                d[Health.DONE],
                _percent_text(d["on_time_rate"]),
                _percent_text(d["average_percent"]),
            ]
            for rank, d in enumerate(figures["by_department"], start=1)
        ],
        wide={1},
    )

    _heading(document, "三、逾期任务清单")
    _task_list(
        document,
        overdue,
        total=figures["overdue"],
        kind="逾期",
        headers=["完成时限", "逾期天数"],
        cells=lambda r: [f"{r.deadline:%Y-%m-%d}", r.days_overdue],
    )
    _heading(document, "四、滞后任务（完成率低于序时进度）")
    _task_list(
        document,
        behind,
        total=figures["behind"],
        kind="滞后",
        headers=["目标", "实际完成值", "完成率", "序时进度"],
        cells=lambda r: [r.target_text, r.actual_text or "—", _percent_text(r.percent), _percent_text(r.expected)],
    )
    _heading(document, "五、工作要求")
    _paragraph(document, "请各责任单位对照上述情况，抓紧推进滞后、逾期任务，按时报送进展。")
    _signature(document, figures["bureau"], figures["built_on_words"])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _task_list(document, tasks, *, total: int, kind: str, headers: list[str], cells) -> None:
    """The first DOCX_OVERDUE_ROWS of a list of tasks as a numbered table (``cells``: a row's own
    columns after its code, title and department), saying how many more the xlsx holds."""
    listed = list(tasks[:DOCX_OVERDUE_ROWS])
    if not listed:
        _paragraph(document, f"无{kind}任务。")
        return
    _table(
        document,
        ["序号", "编号", "重点任务", "责任单位", *headers],
        [[n, r.code, r.title, r.department_name, *cells(r)] for n, r in enumerate(listed, start=1)],
        wide={2, 3},
    )
    if total > len(listed):
        _paragraph(document, f"另有{total - len(listed)}项{kind}任务，详见附表（xlsx）。")


def _signature(document, office: str, date_words: str) -> None:
    """落款: two blank lines, then the office over the date, the date four characters in from the right
    and the office centred over it."""
    for _ in range(2):
        document.add_paragraph()
    office_width, date_width = _text_width(office, BODY_SIZE), _text_width(date_words, BODY_SIZE)
    date_indent = Pt(4 * BODY_SIZE)
    office_indent = Pt(max(date_indent.pt + (date_width - office_width) / 2, 0))
    for text, indent in ((office, office_indent), (date_words, date_indent)):
        paragraph = _paragraph(document, text, indent=False, alignment=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph.paragraph_format.right_indent = indent
        paragraph.paragraph_format.keep_with_next = text == office
