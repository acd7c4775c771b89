from django.http import HttpResponse

from csgrants.core.permissions import STAFF, role_required


@role_required(*STAFF)
def index(request):
    # Placeholder until the statistics dashboard lands (issue 5).
    return HttpResponse("Statistieken")
