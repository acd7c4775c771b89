from django.http import HttpResponse

from csgrants.core.permissions import role_required


@role_required("budget_manager", "admin", "reviewer", "analyst")
def index(request):
    # Placeholder until the budget screens land (issue 4).
    return HttpResponse("Budget")
