// Generates the placeholder cover art for every catalog entry: catalog/art/<id>.svg.
//
//   deno run --allow-read --allow-write scripts/gen-art.ts          write the files
//   deno run --allow-read scripts/gen-art.ts --check                fail if any is stale
//
// The art is deterministic: colours come from a hash of the id, so re-running changes nothing.

interface Entry {
  id: string;
  name: string;
  genre: string;
  release_year: number;
  max_players: number;
  art: string | null;
}

const root = new URL("../catalog/", import.meta.url);
const entries: Entry[] = JSON.parse(await Deno.readTextFile(new URL("catalog.json", root)));

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function hslHex(h: number, s: number, l: number): string {
  s /= 100;
  l /= 100;
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return "#" + [f(0), f(8), f(4)].map((x) => Math.round(x * 255).toString(16).padStart(2, "0")).join("");
}

function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" }[c]!),
  );
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && (line + " " + word).length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? line + " " + word : word;
    }
  }
  if (line) lines.push(line);
  return lines.slice(0, 4);
}

function initials(name: string): string {
  const words = name.replace(/[^A-Za-z0-9 ]/g, " ").split(/\s+/).filter((w) => w.length > 0);
  const letters = words.filter((w) => !/^(the|of|a|and|for|on)$/i.test(w)).map((w) => w[0].toUpperCase());
  return letters.slice(0, 3).join("") || name.slice(0, 2).toUpperCase();
}

function svg(e: Entry): string {
  const h = fnv1a(e.id);
  const hue1 = h % 360;
  const hue2 = (hue1 + 40 + ((h >>> 9) % 80)) % 360;
  const angle = (h >>> 17) % 2 === 0 ? 'x1="0" y1="0" x2="1" y2="1"' : 'x1="1" y1="0" x2="0" y2="1"';
  const lines = wrap(e.name, 16);
  const title = lines
    .map((l, i) => `<tspan x="24" dy="${i === 0 ? 0 : 30}">${escapeXml(l)}</tspan>`)
    .join("");
  const stripes = Array.from({ length: 6 }, (_, i) => {
    const y = 40 + i * 70 + ((h >>> (i + 3)) % 30);
    return `<rect x="-40" y="${y}" width="420" height="${
      8 + ((h >>> i) % 14)
    }" fill="#fff" fill-opacity="0.05" transform="rotate(-18 150 200)"/>`;
  }).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="400" viewBox="0 0 300 400" role="img" aria-label="${
    escapeXml(e.name)
  }">
<defs><linearGradient id="g" ${angle}><stop offset="0" stop-color="${
    hslHex(hue1, 55, 32)
  }"/><stop offset="1" stop-color="${hslHex(hue2, 60, 14)}"/></linearGradient></defs>
<rect width="300" height="400" fill="url(#g)"/>${stripes}
<text x="150" y="190" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-weight="700" font-size="96" fill="#fff" fill-opacity="0.18">${
    escapeXml(initials(e.name))
  }</text>
<text x="24" y="${
    300 - (lines.length - 1) * 30
  }" font-family="DejaVu Sans, Arial, sans-serif" font-weight="700" font-size="24" fill="#fff">${title}</text>
<text x="24" y="372" font-family="DejaVu Sans, Arial, sans-serif" font-size="14" fill="#fff" fill-opacity="0.75">${
    escapeXml(e.genre)
  } · ${e.release_year} · ${e.max_players} players</text>
</svg>
`;
}

const check = Deno.args.includes("--check");
let stale = 0;
await Deno.mkdir(new URL("art/", root), { recursive: true }).catch(() => {});
for (const e of entries) {
  if (!e.art) continue;
  const target = new URL(e.art, root);
  const want = svg(e);
  let have = "";
  try {
    have = await Deno.readTextFile(target);
  } catch {
    // missing: stale
  }
  if (have !== want) {
    stale++;
    if (check) console.error(`stale or missing: catalog/${e.art}`);
    else await Deno.writeTextFile(target, want);
  }
}
if (check && stale > 0) {
  console.error(`${stale} art file(s) out of date; run: just art`);
  Deno.exit(1);
}
console.log(check ? `art up to date (${entries.length} entries)` : `wrote ${stale} art file(s)`);
