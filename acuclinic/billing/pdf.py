"""The invoice or receipt as a PDF (fpdf2: pure Python), for the email and to download."""

import io

from acuclinic.billing.documents import Document
from acuclinic.core.pdf import a4_document, latin1


def render(doc: Document) -> bytes:
    pdf = a4_document(
        title=f"{doc.title} {doc.invoice.reference}", author=doc.clinic.get("name", "")
    )
    pdf.add_page()
    if doc.logo:
        # Top right, beside the clinic's name, fitted into a 50 × 15 mm box.
        pdf.image(
            io.BytesIO(doc.logo),
            x=pdf.w - pdf.r_margin - 50,
            y=pdf.t_margin,
            w=50,
            h=15,
            keep_aspect_ratio=True,
        )
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, latin1(doc.clinic.get("name", "")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for text in (doc.clinic.get("address"), doc.clinic.get("phone"), doc.clinic.get("email")):
        if text:
            pdf.cell(0, 5, latin1(text), new_x="LMARGIN", new_y="NEXT")
    if doc.clinic.get("vat_number"):
        pdf.cell(
            0,
            5,
            latin1(f"VAT registration number: {doc.clinic['vat_number']}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, latin1(f"{doc.title} {doc.invoice.reference}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 5, latin1(f"Date: {doc.issued}"), new_x="LMARGIN", new_y="NEXT")
    if doc.due and not doc.invoice.is_credit_note:
        pdf.cell(0, 5, latin1(f"Due: {doc.due}"), new_x="LMARGIN", new_y="NEXT")
    if doc.invoice.credits_id:
        pdf.cell(
            0,
            5,
            latin1(f"Credits invoice {doc.invoice.credits.reference}: {doc.invoice.reason}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(2)
    if doc.bill_to:
        b = doc.bill_to
        pdf.cell(
            0, 5, latin1(f"Bill to: {b['name']}, {b['address']}"), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.cell(
            0,
            5,
            latin1(
                f"Membership number {b['membership']}; "
                f"pre-authorisation {b['preauthorisation'] or '-'}"
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.cell(0, 5, latin1(f"Patient: {doc.patient_name}"), new_x="LMARGIN", new_y="NEXT")
    if doc.patient_address:
        pdf.cell(0, 5, latin1(doc.patient_address), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    with pdf.table(
        col_widths=(25, 85, 30, 30), text_align=("LEFT", "LEFT", "LEFT", "RIGHT")
    ) as table:
        table.row([latin1(x) for x in ("Date", "Session and practitioner", "VAT", "Amount")])
        for line in doc.lines:
            what = line["description"] + (
                f"\n{line['practitioner']}" if line["practitioner"] else ""
            )
            vat = line["vat"] + (f" ({line['vat_amount']})" if doc.show_vat else "")
            table.row([latin1(line["date"]), latin1(what), latin1(vat), latin1(line["amount"])])
    pdf.ln(3)
    if doc.show_vat:
        pdf.cell(
            0, 5, latin1(f"Net {doc.net}   VAT {doc.vat}"), align="R", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, latin1(f"Total {doc.total}"), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for payment in doc.payments:
        pdf.cell(
            0,
            5,
            latin1(f"Paid {payment['date']}, {payment['how']}: {payment['amount']}"),
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    for credit in doc.credits:
        pdf.cell(
            0,
            5,
            latin1(f"Credited by {credit['reference']}: {credit['amount']}"),
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if not doc.invoice.is_credit_note:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 6, latin1(f"Still owed {doc.owed}"), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", size=8)
    pdf.multi_cell(0, 4, latin1(doc.rounding))
    return bytes(pdf.output())
