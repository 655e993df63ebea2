import { z } from 'zod';

/** A point on Earth in decimal degrees (WGS 84), as stores and customers give it. */
export const GeoPointSchema = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});
export type GeoPoint = z.infer<typeof GeoPointSchema>;

/** IUGG mean Earth radius: the usual choice for straight-line (great-circle) distance. */
const EARTH_RADIUS_METRES = 6_371_008.8;

function radians(degrees: number): number {
  return (degrees * Math.PI) / 180;
}

/**
 * Great-circle distance (haversine) in whole metres. Rounded so routing compares integers: two stores a
 * fraction of a millimetre apart tie and fall through to the next criterion instead of deciding on
 * floating-point noise, and the explanation shows a stable figure.
 */
export function haversineMetres(from: GeoPoint, to: GeoPoint): number {
  const deltaLat = radians(to.lat - from.lat);
  const deltaLon = radians(to.lon - from.lon);
  const a =
    Math.sin(deltaLat / 2) ** 2 +
    Math.cos(radians(from.lat)) * Math.cos(radians(to.lat)) * Math.sin(deltaLon / 2) ** 2;
  // min() keeps asin's argument in range when rounding pushes it a hair above 1 for antipodal points.
  const centralAngle = 2 * Math.asin(Math.min(1, Math.sqrt(a)));
  return Math.round(EARTH_RADIUS_METRES * centralAngle);
}
