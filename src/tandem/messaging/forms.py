from django import forms

from tandem.core.forms import TextareaField
from tandem.messaging.models import CLIENT_ID_LIMIT, MESSAGE_LIMIT, REPORT_REASON_LIMIT


class MessageForm(forms.Form):
    body = TextareaField(
        label="Message",
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_LIMIT}),
    )
    # Made when the page is drawn; sending the form twice (a double click, a retry after a
    # lost answer) stores the message once.
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=CLIENT_ID_LIMIT)


class MessageEditForm(forms.Form):
    body = TextareaField(
        label="Message",
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_LIMIT}),
    )


class ReportForm(forms.Form):
    reason = TextareaField(
        label="What is wrong with it? (optional)",
        required=False,
        max_length=REPORT_REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
