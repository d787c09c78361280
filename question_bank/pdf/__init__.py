"""Printed papers: the booklet PDF of one frozen form of a locked paper, and its answer-key PDF.

    forms.py       load a PaperForm's frozen content into printable sections and items
    markup.py      the sanitised item HTML (paragraphs, emphasis, tables, bank images) as flowables
    page.py        the page furniture both documents share: watermark naming the downloader, footer, metadata
    booklet.py     the candidate's booklet: cover, sections, items with ก–จ choices or answer lines
    answer_key.py  เฉลยข้อสอบ: item number → key, points, item uid and version, explanation
    downloads.py   download_booklet / download_answer_key: render, then audit (who, which form, SHA-256)

Both documents use the shared Thai PDF module (exam_platform.common.pdf): Sarabun with HarfBuzz shaping
and word wrapping. reportlab is imported only when a PDF is made.
"""
