"""register indexes: what the register page's database view filters, sorts and joins on

Revision ID: 0015_register_indexes
Revises: 0014 (0014_aware_timestamps)
Create Date: 2026-12-02 14:45:00

The register page filters, counts, totals and pages in SQL (vru_core/register/register_view.py). Already
indexed since 0003: award status, stream, priority area, award date, example flag, organisation; award_area
by area; ward by borough; payment by award. Added here:
- award_objective by objective number (its primary key leads with the award, so "awards with objective 3"
  scanned the whole table);
- award (award_date, id): the default order, newest first with the id breaking ties, read in index order
  so a page is LIMIT/OFFSET over the index instead of a sort of every match;
- award amount: the sort by amount;
- payment (award_id, amount_pence): the paid-per-award sum read from the index alone.
"""

from alembic import op

revision = "0015_register_indexes"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_award_objective_objective_number", "award_objective", ["objective_number"])
    op.create_index("ix_award_award_date_id", "award", ["award_date", "id"])
    op.create_index("ix_award_amount_pence", "award", ["amount_pence"])
    op.create_index("ix_payment_award_id_amount_pence", "payment", ["award_id", "amount_pence"])


def downgrade() -> None:
    op.drop_index("ix_payment_award_id_amount_pence", table_name="payment")
    op.drop_index("ix_award_amount_pence", table_name="award")
    op.drop_index("ix_award_award_date_id", table_name="award")
    op.drop_index("ix_award_objective_objective_number", table_name="award_objective")
