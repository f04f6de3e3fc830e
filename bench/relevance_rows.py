"""Result rows for a relevance figure: recall@10 and MRR under one label, with optional targets."""

from common import row


def recall_mrr_rows(label, recall, mrr, min_recall=None, min_mrr=None):
    """Two rows, `<label> recall@10` and `<label> MRR`; a minimum makes the row a checked target."""

    def one(name, value, minimum):
        if minimum is None:
            return row(f"{label} {name}", round(value, 3), "ratio")
        return row(f"{label} {name}", round(value, 3), "ratio", f">= {minimum}", value >= minimum)

    return [one("recall@10", recall, min_recall), one("MRR", mrr, min_mrr)]
