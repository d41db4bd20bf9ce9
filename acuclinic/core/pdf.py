"""A4 PDF documents (fpdf2, pure Python) for the letters and invoices the clinic prints.

fpdf2 brings fontTools, Pillow and cryptography with it: about 45 MB that the web
server's preloaded app would otherwise hold for pages few requests ask for. It is
imported here, when a document is drawn, by the process that draws one."""

# The core PDF fonts speak Latin-1: say "GBP" where "£" cannot be drawn (the callers do),
# and plain dashes and quotes for typographic ones.
_PLAIN = str.maketrans(
    {"–": "-", "—": "-", "−": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...", "·": "-"}
)


def latin1(text) -> str:
    """The text as the core fonts can draw it: anything else becomes '?'."""
    return str(text).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def a4_document(*, title: str, author: str):
    """A new A4 fpdf2 document with its title and author set."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(latin1(title))
    pdf.set_author(latin1(author))
    return pdf
