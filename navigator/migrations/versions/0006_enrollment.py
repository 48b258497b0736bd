"""enrollment: applications to programs, their events and the access log; programs may stop taking them

Revision ID: 0006
Revises: 0007
Create Date: 2026-11-30 22:50:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('takes_applications', sa.Boolean(), server_default='1', nullable=False))
    op.create_table('application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('personal', sa.LargeBinary(), nullable=True),
    sa.Column('phone_key', sa.String(length=64), nullable=True),
    sa.Column('email_key', sa.String(length=64), nullable=True),
    sa.Column('answer_by', sa.Date(), nullable=False),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('first_position', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('final_at', sa.DateTime(), nullable=True),
    sa.Column('erased_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN ('submitted', 'reviewing', 'accepted', 'declined', 'waitlisted', 'withdrawn')",
                       name=op.f('ck_application_state')),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_application_program_id_program')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_application_token_hash'))
    )
    op.create_index('ix_application_program_state', 'application', ['program_id', 'state'], unique=False)
    op.create_index(op.f('ix_application_phone_key'), 'application', ['phone_key'], unique=False)
    op.create_index(op.f('ix_application_email_key'), 'application', ['email_key'], unique=False)
    op.create_index(op.f('ix_application_final_at'), 'application', ['final_at'], unique=False)
    op.create_table('application_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_application_event_account_id_account')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ondelete='CASCADE',
                            name=op.f('fk_application_event_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_event'))
    )
    op.create_index(op.f('ix_application_event_application_id'), 'application_event', ['application_id'],
                    unique=False)
    op.create_table('application_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_application_access_account_id_account')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ondelete='CASCADE',
                            name=op.f('fk_application_access_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_access'))
    )
    op.create_index(op.f('ix_application_access_application_id'), 'application_access', ['application_id'],
                    unique=False)
    op.create_index(op.f('ix_application_access_account_id'), 'application_access', ['account_id'], unique=False)
    op.create_index(op.f('ix_application_access_created_at'), 'application_access', ['created_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('application_access')
    op.drop_table('application_event')
    op.drop_table('application')
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('takes_applications')
