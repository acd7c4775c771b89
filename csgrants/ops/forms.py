from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Enter the digits shown by your app."))
        return token
