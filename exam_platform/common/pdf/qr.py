"""QR codes in PDFs, drawn as vector squares by segno's matrix (no raster image)."""


def qr_code(data: str, size: float):
    """A QR code of `data`, `size` points square, as a flowable (admission cards, score slips)."""
    import segno
    from reportlab.platypus import Flowable

    class QrCode(Flowable):
        """The QR code drawn as vector squares (sharp at any print resolution)."""

        def __init__(self):
            super().__init__()
            self.matrix = [list(row) for row in segno.make(data, error="m").matrix_iter(scale=1, border=2)]
            self.width = self.height = size

        def wrap(self, available_width, available_height):
            return size, size

        def draw(self):
            cell = size / len(self.matrix)
            canvas = self.canv
            canvas.setFillColorRGB(0, 0, 0)
            for y, row in enumerate(self.matrix):
                x = 0
                while x < len(row):
                    if row[x]:
                        start = x
                        while x < len(row) and row[x]:
                            x += 1
                        canvas.rect(
                            start * cell, size - (y + 1) * cell, (x - start) * cell, cell, stroke=0, fill=1
                        )
                    else:
                        x += 1

    return QrCode()
