"""The petition form's map and the "me too" count, for the templates that show them."""

from django import template
from django.conf import settings

from service_center.nearby import selectors as nearby_selectors
from service_center.petitions.models import KAOHSIUNG_BBOX

register = template.Library()

# Where the map opens: Kaohsiung's city hall (Lingya district).
MAP_CENTRE = (22.6209, 120.3122)


@register.inclusion_tag("service_center/nearby/_map_assets.html")
def map_assets():
    """Leaflet's files only where a map can be drawn (MAP_TILE_URL is set); map.js always."""
    return {"has_tiles": bool(settings.MAP_TILE_URL)}


@register.inclusion_tag("service_center/nearby/_map.html")
def map_widget():
    return {
        "tile_url": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "bbox": KAOHSIUNG_BBOX,
        "centre": MAP_CENTRE,
    }


@register.inclusion_tag("service_center/nearby/_followers.html")
def followers_note(petition):
    """ "N citizens reported this too", or nothing when nobody has."""
    return {"count": nearby_selectors.follower_count(petition)}
