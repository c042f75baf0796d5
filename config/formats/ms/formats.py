# Malay dates with the month's full name (9 Mac 2026): Django's own format abbreviates it in English.
DATE_FORMAT = "j F Y"
