"""Views of the web UI: thin. They parse the request, call one service (or a selector), and render.

- common: home redirect per role, pagination helpers, the enterprise/subsidy previews (htmx)
- provider: the provider portal (Mijn dossiers, new application, answer, withdraw)
- staff: the review queue and the application page with the decision panel
"""
