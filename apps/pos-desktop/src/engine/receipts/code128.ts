import { DomainError } from '@retail/domain';

/**
 * Code 128 (ISO/IEC 15417), code set B, for the receipt-number barcode a till scans to find a sale for a
 * return. Each symbol is three bars and three spaces, 11 modules wide; the stop symbol adds a final bar
 * (13 modules). Widths per symbol value, 103–105 the start codes, 106 the stop.
 */
// prettier-ignore
const PATTERNS = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232', '2331112',
] as const;

const START_B = 104;
const STOP = 106;
/** Blank modules each side, so a scanner finds the edges (the standard asks for at least 10). */
export const QUIET_ZONE_MODULES = 10;

/** Symbol values: start B, one per character, the modulo-103 check symbol, stop. */
export function code128BValues(text: string): number[] {
  if (text.length === 0 || text.length > 80) {
    throw new DomainError('INVALID_INPUT', 'receipts.codeBarcodeHoldsCharacters');
  }
  const values = [START_B];
  for (const character of text) {
    const code = character.charCodeAt(0);
    if (character.length !== 1 || code < 32 || code > 126) {
      throw new DomainError('INVALID_INPUT', 'receipts.codeSetBCannot', {
        character: JSON.stringify(character),
      });
    }
    values.push(code - 32);
  }
  const checksum = values.reduce((total, value, index) => total + value * Math.max(1, index), 0) % 103;
  return [...values, checksum, STOP];
}

/** Alternating bar/space widths in modules, starting with a bar. */
export function code128BWidths(text: string): number[] {
  return code128BValues(text).flatMap((value) => [...(PATTERNS[value] ?? '')].map(Number));
}

/** An SVG of the barcode with crisp bars (module width in px), for receipts and labels. */
export function code128Svg(text: string, options: { moduleWidth?: number; height?: number } = {}): string {
  const moduleWidth = options.moduleWidth ?? 2;
  const height = options.height ?? 50;
  const widths = code128BWidths(text);
  let x = QUIET_ZONE_MODULES;
  const bars: string[] = [];
  widths.forEach((width, index) => {
    if (index % 2 === 0)
      bars.push(`<rect x="${x * moduleWidth}" y="0" width="${width * moduleWidth}" height="${height}"/>`);
    x += width;
  });
  const total = (x + QUIET_ZONE_MODULES) * moduleWidth;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="${height}" viewBox="0 0 ${total} ${height}" shape-rendering="crispEdges" role="img" aria-label="Barcode ${escapeXml(text)}"><g fill="#000">${bars.join('')}</g></svg>`;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
