"""The workspace every test shares: one id per person and channel, and one meaning per name.

Alice and Bob are ordinary members (Alice in Berlin, Bob in New York); Carol is a third member some
tests add; Ada (`ADMIN`) is a reportbot admin through REPORTBOT_ADMINS, Sam (`SLACK_ADMIN`) an admin of
the Slack workspace; #sales has Alice and Bob, #ops
Bob alone. A person who has left is `GONE_PERSON`, never one of these names.
"""

from __future__ import annotations

TEAM = "T0TEST01"
OTHER_TEAM = "T0OTHER01"
ALICE, BOB, CAROL = "U0ALICE01", "U0BOB0001", "U0CAROL01"
ADMIN = "U0ADMIN01"  # named in REPORTBOT_ADMINS
SLACK_ADMIN = "U0SLACKAD"  # an admin of the Slack workspace
GONE_PERSON = "U0GONE001"  # deactivated
SALES, OPS = "C0SALES01", "C0OPS0001"

# The same places as a schedule's destinations. A name means one thing: `SALES` is the channel's id,
# `TO_SALES` a destination posting there.
from storage.models import DestinationKind  # noqa: E402  (after the ids, which need nothing)
from storage.schedules import NewDestination  # noqa: E402

TO_SALES = NewDestination(DestinationKind.SLACK_CHANNEL, SALES, "#sales")
TO_OPS = NewDestination(DestinationKind.SLACK_CHANNEL, OPS, "#ops")
TO_BOB = NewDestination(DestinationKind.SLACK_USER, BOB, "@bob")
TO_GONE = NewDestination(DestinationKind.SLACK_CHANNEL, "C0GONE001", "#gone")  # a channel that no longer exists
TO_CLIENT = NewDestination(DestinationKind.EMAIL, "client@example.com", "client@example.com")
