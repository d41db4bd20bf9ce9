"""A referral letter as a PDF (fpdf2, as billing's invoices): the text kept on the record,
word for word, so the PDF says exactly what was issued."""

from acuclinic.core.formats import format_datetime
from acuclinic.core.pdf import a4_document, latin1
from acuclinic.safety.models import Referral
from acuclinic.safety.referral_letter import marked_lines


def render(referral: Referral) -> bytes:
    pdf = a4_document(
        title=f"Referral letter for {referral.patient.full_name}",
        author=referral.issued_by.display_name,
    )
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    for index, (line, strong) in enumerate(marked_lines(referral.text)):
        if not line:
            pdf.ln(3)
            continue
        # The clinic's name heads the letter; the headline and each flag stand out.
        size = 14 if index == 0 else 10.5
        pdf.set_font("Helvetica", "B" if strong else "", size)
        pdf.multi_cell(0, 7 if index == 0 else 5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", size=8)
    pdf.multi_cell(
        0,
        4,
        latin1(
            f"Issued {format_datetime(referral.issued_at)} by "
            f"{referral.issued_by.display_name}; kept on the patient's record as issued."
        ),
    )
    return bytes(pdf.output())
