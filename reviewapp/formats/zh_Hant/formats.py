"""Traditional Chinese (Taiwan) formats: Django's, with numbers grouped by thousands.

Django's zh_Hant groups digits by four with no separator (1234567); Taiwanese research writing
and its statistics offices write 1,234,567, which record counts of tens of thousands need.
"""

from django.conf.locale.zh_Hant.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
