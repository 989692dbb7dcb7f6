/**
 * Replaces what lies between two marker lines of a generated section (the markers stay), so a
 * README section can be regenerated and checked for drift; throws when the markers are missing.
 */
export function replaceBetweenMarkers(text: string, section: { begin: string; end: string; content: string; what: string }): string {
  const begin = text.indexOf(section.begin);
  const end = text.indexOf(section.end);
  if (begin === -1 || end === -1 || end < begin) throw new Error(`README.md has no ${section.what} markers`);
  return text.slice(0, begin) + section.content + text.slice(end + section.end.length);
}
