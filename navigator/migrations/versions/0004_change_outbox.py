"""change outbox: programs changed by each committed transaction, for the index followers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 22:05:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('change_outbox',
    sa.Column('sequence', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('program_ids', sa.Text(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sequence', name=op.f('pk_change_outbox'))
    )
    op.create_index(op.f('ix_change_outbox_created_at'), 'change_outbox', ['created_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_change_outbox_created_at'), table_name='change_outbox')
    op.drop_table('change_outbox')
