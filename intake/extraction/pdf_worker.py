"""Reads the text layer of a PDF given on stdin, in a process of its own with bounded memory and time.

Run as a script by ``formats.read_pdf`` (not imported), so that a PDF built to exhaust memory or
time (a decompression bomb, millions of pages, deep nesting) costs only this process. It prints one
JSON object: {"status": "ok", "pages": [...]} or {"status": <why not>}.
"""

import json
import resource
import sys

MEMORY_BYTES = 1024 * 1024 * 1024
CPU_SECONDS = 20
MAX_PAGES = 1000
MAX_CHARS = 3_000_000


def main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    data = sys.stdin.buffer.read()
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        print(json.dumps({"status": "encrypted" if "password" in str(error).lower() else "broken"}))
        return
    if len(document) > MAX_PAGES:
        print(json.dumps({"status": "too_many_pages", "pages": len(document)}))
        return
    pages, total = [], 0
    for index in range(len(document)):
        page = document[index]
        text = page.get_textpage().get_text_bounded()
        total += len(text)
        if total > MAX_CHARS:
            print(json.dumps({"status": "too_much_text"}))
            return
        pages.append(text)
        page.close()
    print(json.dumps({"status": "ok", "pages": pages}, ensure_ascii=False))


if __name__ == "__main__":
    try:
        main()
    except MemoryError:
        print(json.dumps({"status": "too_big"}))
