"""The Django admin as the editors' tool.

Every write goes through ``articles.services`` (``save_model``, ``save_related``, actions),
and the publication gates the admin enforces on published articles are the services' own
functions (``text_problems``, ``byline_problems``, ``image_problems``), so the rules live in
one place. Articles are never deleted here: they are withdrawn.
"""

# Importing the modules registers their ModelAdmins.
from . import articles, images, people, records, sites  # noqa: F401
