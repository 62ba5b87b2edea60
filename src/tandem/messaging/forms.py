from django import forms

from tandem.messaging.models import MESSAGE_LIMIT


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message",
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_LIMIT}),
    )
    # Made when the page is drawn; sending the form twice (a double click, a retry after a
    # lost answer) stores the message once.
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=64)


class MessageEditForm(forms.Form):
    body = forms.CharField(
        label="Message",
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_LIMIT}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with it? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
