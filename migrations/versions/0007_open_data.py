"""open data: where a recipient is based (postcode, ward or borough code) and an award's 360Giving regrant type

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:00:00

All three columns are optional: existing organisations and awards simply have none until someone
fills them in (the 360Giving export then leaves the fields out).
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('organisation', sa.Column('postal_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
    op.add_column('organisation', sa.Column('location_code', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True))
    op.add_column('award', sa.Column('regrant_type', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_column('regrant_type')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('location_code')
        batch_op.drop_column('postal_code')
