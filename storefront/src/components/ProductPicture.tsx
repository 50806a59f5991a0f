// A generated picture per product (no remote asset): two shapes in colours derived from the SKU.
function hue(text: string, seed: number): number {
  let h = seed;
  for (const char of text) h = (h * 31 + char.charCodeAt(0)) >>> 0;
  return h % 360;
}

export function ProductPicture({ sku }: { sku: string }) {
  const a = hue(sku, 7);
  const b = (a + 40 + (hue(sku, 13) % 80)) % 360;
  const shape = hue(sku, 3) % 3;
  return (
    <svg className="picture" viewBox="0 0 160 100" aria-hidden="true" focusable="false">
      <rect width="160" height="100" fill={`hsl(${a} 70% 88%)`} />
      {shape === 0 ? <circle cx="80" cy="50" r="30" fill={`hsl(${b} 60% 55%)`} /> : null}
      {shape === 1 ? <rect x="52" y="22" width="56" height="56" rx="10" fill={`hsl(${b} 60% 55%)`} /> : null}
      {shape === 2 ? <polygon points="80,18 114,80 46,80" fill={`hsl(${b} 60% 55%)`} /> : null}
      <circle cx="128" cy="24" r="10" fill={`hsl(${a} 55% 65%)`} />
    </svg>
  );
}
