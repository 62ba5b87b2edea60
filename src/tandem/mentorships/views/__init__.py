"""Pages for requests, mentorships and meetings, one module per sub-domain. Thin: parse a
form, call one service, render or redirect. Every in-page action also works without JavaScript
(plain POST and redirect); with htmx the partial is swapped in place."""
