// Connectivity front-end glue. No inline scripts anywhere: behaviour lives in static files.
