// The need scores map (st.components.v2): outlines arrive once per session and are kept in the
// browser; each rerun sends only one class character per ward, the palette, outlines and values.
// Hover: ward, borough, score, rank. Click: selects the ward (trigger "clicked").
const store = (window.__vruWardMap = window.__vruWardMap || { geometry: {} });

function build(geometry) {
  const wards = geometry.wards.map(([code, name, borough, rings]) => {
    const path = new Path2D();
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const ring of rings) {
      for (let i = 0; i < ring.length; i += 2) {
        const x = ring[i], y = ring[i + 1];
        if (i === 0) path.moveTo(x, y); else path.lineTo(x, y);
        if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      }
      path.closePath();
    }
    return { code, name, borough, path, box: [x0, y0, x1, y1] };
  });
  const boroughs = new Path2D();
  for (const [, rings] of geometry.boroughs) {
    for (const ring of rings) {
      for (let i = 0; i < ring.length; i += 2) {
        if (i === 0) boroughs.moveTo(ring[i], ring[i + 1]); else boroughs.lineTo(ring[i], ring[i + 1]);
      }
      boroughs.closePath();
    }
  }
  return { width: geometry.width, height: geometry.height, wards, boroughs };
}

function setup(root) {
  const wrap = document.createElement("div");
  wrap.className = "vru-map";
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  const tip = document.createElement("div");
  tip.className = "vru-tip";
  tip.setAttribute("role", "status");
  tip.hidden = true;
  wrap.append(canvas, tip);
  root.appendChild(wrap);
  const view = { wrap, canvas, tip, hover: -1, data: null, shapes: null, scale: 1 };
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    const x = (event.clientX - box.left) / view.scale, y = (event.clientY - box.top) / view.scale;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    const shapes = view.shapes;
    if (!shapes) return -1;
    for (let i = 0; i < shapes.wards.length; i++) {
      const b = shapes.wards[i].box;
      if (x < b[0] || x > b[2] || y < b[1] || y > b[3]) continue;
      if (ctx.isPointInPath(shapes.wards[i].path, x, y)) return i;
    }
    return -1;
  };
  canvas.addEventListener("mousemove", (event) => {
    const i = at(event);
    if (i !== view.hover) { view.hover = i; draw(view); }
    if (i < 0) { tip.hidden = true; return; }
    const w = view.shapes.wards[i], d = view.data;
    const rank = d.ranks[i] == null ? "" : ` · rank ${d.ranks[i]}`;
    tip.textContent = "";
    const title = document.createElement("b");
    title.textContent = w.name;
    tip.append(title, document.createElement("br"), `${w.borough}`, document.createElement("br"),
      `${d.label}: ${d.values[i]}${rank}`);
    const box = wrap.getBoundingClientRect();
    tip.style.left = `${Math.min(event.clientX - box.left + 14, box.width - 220)}px`;
    tip.style.top = `${event.clientY - box.top + 14}px`;
    tip.hidden = false;
  });
  canvas.addEventListener("mouseleave", () => { view.hover = -1; tip.hidden = true; draw(view); });
  canvas.addEventListener("click", (event) => {
    const i = at(event);
    if (i >= 0 && view.trigger) view.trigger("clicked", view.shapes.wards[i].code);
  });
  new ResizeObserver(() => draw(view)).observe(wrap);
  return view;
}

function draw(view) {
  const { canvas, shapes, data } = view;
  if (!shapes || !data) return;
  const cssWidth = view.wrap.clientWidth || 700;
  view.scale = cssWidth / shapes.width;
  const cssHeight = Math.round(shapes.height * view.scale);
  const ratio = window.devicePixelRatio || 1;
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${cssHeight}px`;
  if (canvas.width !== Math.round(cssWidth * ratio)) canvas.width = Math.round(cssWidth * ratio);
  if (canvas.height !== Math.round(cssHeight * ratio)) canvas.height = Math.round(cssHeight * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const k = view.scale * ratio;
  ctx.setTransform(k, 0, 0, k, 0, 0);
  ctx.lineJoin = "round";
  ctx.strokeStyle = "rgba(120,120,120,0.7)";
  ctx.lineWidth = 0.6 / view.scale;
  shapes.wards.forEach((w, i) => {
    const c = data.classes[i];
    ctx.fillStyle = c === "-" ? data.missing : data.palette[Number(c)];
    ctx.fill(w.path);
    ctx.stroke(w.path);
  });
  ctx.strokeStyle = "#141414";
  ctx.lineWidth = 1.6 / view.scale;
  ctx.stroke(shapes.boroughs);
  ctx.strokeStyle = "#1446c8";
  ctx.lineWidth = 2.5 / view.scale;
  for (const i of data.outlined) ctx.stroke(shapes.wards[i].path);
  for (const [i, colour, width] of [[data.selected, "#ffdd00", 5], [data.selected, "#0b0c0c", 2.5], [view.hover, "#1d70b8", 2]]) {
    if (i == null || i < 0) continue;
    ctx.strokeStyle = colour;
    ctx.lineWidth = width / view.scale;
    ctx.stroke(shapes.wards[i].path);
  }
  view.wrap.setAttribute("data-vru-map-ready", "1");
}

export default function (component) {
  const { parentElement, data, setTriggerValue } = component;
  const view = parentElement.__vruView || (parentElement.__vruView = setup(parentElement));
  view.trigger = setTriggerValue;
  if (data.geometry && !store.geometry[data.digest]) store.geometry[data.digest] = build(data.geometry);
  const shapes = store.geometry[data.digest];
  if (!shapes) { setTriggerValue("need_geometry", data.digest); return; }  // a fresh browser: ask once more
  view.shapes = shapes;
  view.data = data;
  view.canvas.setAttribute("aria-label", data.description || "Map of London wards");
  draw(view);
}
