"""Messages shown where they concern the reader, not only at the top of the page.

A message about one indicator (evidence refused, added or removed) carries
the tag of that indicator's card; the page that redirects to the card shows
it there, where the browser jumps. base.html shows the context's ``messages``:
the views give it only the messages that belong at the top, so none shows twice.
"""

from django.contrib.messages import get_messages
from django.contrib.messages.storage.base import Message
from django.http import HttpRequest

from assessment.models import Response

CARD_TAG = "card-"


def card_tag(response: Response) -> str:
    return f"{CARD_TAG}{response.pk}"


def messages_by_tag(request: HttpRequest, prefix: str) -> tuple[list[Message], dict[str, list[Message]]]:
    """(messages for the top of the page, messages whose extra tag starts with ``prefix``, by that tag).

    Reading them marks them shown, as the template's loop would.
    """
    page: list[Message] = []
    tagged: dict[str, list[Message]] = {}
    for message in get_messages(request):
        tag = next((tag for tag in (message.extra_tags or "").split() if tag.startswith(prefix)), None)
        if tag is None:
            page.append(message)
        else:
            tagged.setdefault(tag, []).append(message)
    return page, tagged
