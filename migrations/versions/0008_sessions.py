"""sessions: signed-in browser sessions and sign-in throttling, kept in the store

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:40:00

web_session holds one row per signed-in browser (the cookie carries a signed random key, the row only
its SHA-256), so every app server on the same store accepts it and any of them can end it.
sign_in_throttle counts failed sign-ins per account and per client address.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        'web_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key_hash', text(length=64), nullable=False),
        sa.Column('username', text(length=120), nullable=False),
        sa.Column('method', text(length=16), nullable=False),
        sa.Column('stamp', text(length=64), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('end_reason', text(length=32), nullable=True),
        sa.Column('handoff_hash', text(length=64), nullable=True),
        sa.Column('handoff_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('sso_identity', text(length=64), nullable=True),
        sa.Column('client', text(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_web_session_key_hash', 'web_session', ['key_hash'], unique=True)
    op.create_index('ix_web_session_username', 'web_session', ['username'])
    op.create_index('ix_web_session_handoff_hash', 'web_session', ['handoff_hash'])
    op.create_index('ix_web_session_sso_identity', 'web_session', ['sso_identity'], unique=True)
    op.create_table(
        'sign_in_throttle',
        sa.Column('key', text(length=200), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('sign_in_throttle')
    op.drop_index('ix_web_session_sso_identity', table_name='web_session')
    op.drop_index('ix_web_session_handoff_hash', table_name='web_session')
    op.drop_index('ix_web_session_username', table_name='web_session')
    op.drop_index('ix_web_session_key_hash', table_name='web_session')
    op.drop_table('web_session')
