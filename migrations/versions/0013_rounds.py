"""funding rounds: rounds with criteria frozen at opening, applications, assessors, scores, conflicts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 02:00:00

New tables only: an application funded by a panel links to its award by `application.award_id`, so the
register's tables are untouched. (Revises 0007 on this branch; re-chained after 0012 at merge.)
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0013"
down_revision = '0012'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "funding_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", S(length=40), nullable=False),
        sa.Column("title", S(), nullable=False),
        sa.Column("description", S(), nullable=False),
        sa.Column("funding_stream_code", S(length=40), nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=False),
        sa.Column("budget_pence", sa.BigInteger(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("decision_on", sa.Date(), nullable=False),
        sa.Column("eligible_boroughs", sa.JSON(), nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("priority_areas", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("profile_name", S(), nullable=False),
        sa.Column("profile_settings", sa.JSON(), nullable=True),
        sa.Column("moderation_gap", sa.Integer(), nullable=False),
        sa.Column("status", S(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("opened_by", S(), nullable=False),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", S(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", S(), nullable=False),
        sa.ForeignKeyConstraint(["funding_stream_code"], ["funding_stream.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_funding_round_funding_stream_code", "funding_round", ["funding_stream_code"])
    op.create_index("ix_funding_round_is_example", "funding_round", ["is_example"])
    op.create_table(
        "round_assessor",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("username", S(length=200), nullable=False),
        sa.Column("assigned_by", S(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["funding_round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "username"),
    )
    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("reference", S(length=60), nullable=False),
        sa.Column("applicant_org_id", S(length=120), nullable=False),
        sa.Column("applicant", sa.JSON(), nullable=False),
        sa.Column("project_title", S(), nullable=False),
        sa.Column("description", S(), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=False),
        sa.Column("planned_end", sa.Date(), nullable=False),
        sa.Column("priority_area_code", S(length=40), nullable=True),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("geography_level", S(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("need_figure", sa.Float(), nullable=False),
        sa.Column("need_points", sa.Float(), nullable=False),
        sa.Column("need_evidence", sa.JSON(), nullable=False),
        sa.Column("funded_pence", sa.BigInteger(), nullable=True),
        sa.Column("decision", S(length=10), nullable=False),
        sa.Column("decision_reason", S(), nullable=False),
        sa.Column("decided_by", S(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("award_id", sa.Integer(), nullable=True),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", S(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["funding_round.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["award_id"], ["award.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "reference", name="uq_application_round_reference"),
    )
    op.create_index("ix_application_round_id", "application", ["round_id"])
    op.create_index("ix_application_applicant_org_id", "application", ["applicant_org_id"])
    op.create_index("ix_application_award_id", "application", ["award_id"])
    op.create_index("ix_application_is_example", "application", ["is_example"])
    op.create_table(
        "assessment",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("assessor", S(length=200), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("application_id", "assessor"),
    )
    op.create_table(
        "conflict_of_interest",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("assessor", S(length=200), nullable=False),
        sa.Column("org_id", S(length=120), nullable=False),
        sa.Column("note", S(), nullable=False),
        sa.Column("declared_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["funding_round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "assessor", "org_id"),
    )


def downgrade() -> None:
    op.drop_table("conflict_of_interest")
    op.drop_table("assessment")
    op.drop_index("ix_application_is_example", table_name="application")
    op.drop_index("ix_application_award_id", table_name="application")
    op.drop_index("ix_application_applicant_org_id", table_name="application")
    op.drop_index("ix_application_round_id", table_name="application")
    op.drop_table("application")
    op.drop_table("round_assessor")
    op.drop_index("ix_funding_round_is_example", table_name="funding_round")
    op.drop_index("ix_funding_round_funding_stream_code", table_name="funding_round")
    op.drop_table("funding_round")
