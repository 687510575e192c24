// The layout editor's model: a grid of cells per area, and the conversion to and from the API's
// seat layout. A layout read from the API keeps what the theatre chose (row names, seat ids and
// labels, area numbers, row indexes, grid offsets): saving it unchanged must give it back
// exactly. Names and numbers are generated only for rows and seats drawn in the editor.

export type Cell = {
  category: string;
  flags: string[];
  group?: string;
  /** A loaded seat's label is its row's name and this ("H" + "12"): renaming the row renames
   * the seat. Absent on seats drawn in the editor, which are numbered along their row. */
  number?: string;
  /** A loaded label that does not start with its row's name, kept as it is. */
  label?: string;
  /** A loaded id, kept; unless `idIsLabel`, where the id follows the label. */
  id?: string;
  idIsLabel?: boolean;
  externalId?: string;
} | null;

/** What a loaded row brings with it; `name` is also what the partner types for a row. */
export type RowMeta = { name?: string; index?: number };

export type AreaDraft = {
  name: string;
  /** The area's number in the layout (kept from a loaded layout). */
  number: number;
  /** The area's default category, when the layout gave one. */
  category?: string;
  rows: number;
  cols: number;
  cells: Cell[][];
  rowMeta: RowMeta[];
  /** Grid position of cell [0][0]: a loaded area may start at row 8 or column 2. */
  rowOffset: number;
  colOffset: number;
  /** The `position.area` its seats carry (normally its number). */
  gridArea: number;
};

export type LayoutSeat = {
  id: string;
  label: string;
  position: { area: number; row: number; column: number };
  category: string;
  flags: string[];
  group?: string | null;
  external_id?: string | null;
};
export type LayoutRow = { name: string; index: number; seats: LayoutSeat[] };
export type LayoutArea = { number: number; name: string; category: string; rows: LayoutRow[] };
export type LayoutJson = { categories: string[]; areas: LayoutArea[] };

export type Naming = { rtl: boolean; skipIO: boolean };

export const emptyGrid = (rows: number, cols: number): Cell[][] =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, () => null));

export function newArea(number: number, name: string, rows: number, cols: number): AreaDraft {
  return {
    name,
    number,
    rows,
    cols,
    cells: emptyGrid(rows, cols),
    rowMeta: Array.from({ length: rows }, () => ({})),
    rowOffset: 0,
    colOffset: 0,
    gridArea: number,
  };
}

export function nextAreaNumber(areas: AreaDraft[]): number {
  return areas.length ? Math.max(...areas.map((a) => a.number)) + 1 : 0;
}

export function resize(area: AreaDraft, rows: number, cols: number): AreaDraft {
  const cells = emptyGrid(rows, cols).map((row, r) => row.map((_, c) => area.cells[r]?.[c] ?? null));
  const rowMeta = Array.from({ length: rows }, (_, r) => area.rowMeta[r] ?? {});
  return { ...area, rows, cols, cells, rowMeta };
}

/** Row letters in order: A..Z then AA, AB...; theatres often skip I and O (they read as 1, 0). */
export function rowSequence(skipIO: boolean): string[] {
  const letters = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"].filter((c) => !(skipIO && (c === "I" || c === "O")));
  return [...letters, ...letters.flatMap((a) => letters.map((b) => a + b))];
}

const hasSeat = (row: Cell[]) => row.some(Boolean);

/** The name every seated row gets: the one the layout or the partner gave it, else the next
 * free letter after the row before it. */
export function rowNames(areas: AreaDraft[], skipIO: boolean): Map<string, string> {
  const sequence = rowSequence(skipIO);
  const taken = new Set<string>();
  areas.forEach((area) =>
    area.cells.forEach((row, r) => {
      const name = area.rowMeta[r]?.name?.trim();
      if (name && hasSeat(row)) taken.add(name);
    }),
  );
  const out = new Map<string, string>();
  let next = 0;
  areas.forEach((area, a) =>
    area.cells.forEach((row, r) => {
      if (!hasSeat(row)) return;
      let name = area.rowMeta[r]?.name?.trim();
      if (name) {
        const at = sequence.indexOf(name);
        if (at >= 0) next = Math.max(next, at + 1);
      } else {
        while (next < sequence.length && taken.has(sequence[next])) next++;
        name = sequence[next] ?? `R${a}-${r}`;
        next++;
        taken.add(name);
      }
      out.set(`${a}:${r}`, name);
    }),
  );
  return out;
}

/** Seat ids and labels: loaded seats keep theirs (following their row's name where they did),
 * new seats are numbered along their row in the chosen direction, skipping numbers a loaded
 * seat of the row already carries. */
export function label(areas: AreaDraft[], naming: Naming) {
  const names = rowNames(areas, naming.skipIO);
  const ids = new Map<string, string>();
  const labels = new Map<string, string>();
  const usedIds = new Set<string>();
  const kept = (cell: NonNullable<Cell>, name: string) =>
    cell.label ?? (cell.number !== undefined ? name + cell.number : undefined);
  // Loaded seats first, so a new seat never takes an id or a number one of them has.
  areas.forEach((area, a) =>
    area.cells.forEach((row, r) => {
      const name = names.get(`${a}:${r}`);
      if (!name) return;
      row.forEach((cell, c) => {
        if (!cell) return;
        const text = kept(cell, name);
        if (text === undefined) return;
        const key = `${a}:${r}:${c}`;
        labels.set(key, text);
        const id = cell.idIsLabel ? text : cell.id;
        if (id) {
          ids.set(key, id);
          usedIds.add(id);
        }
      });
    }),
  );
  areas.forEach((area, a) =>
    area.cells.forEach((row, r) => {
      const name = names.get(`${a}:${r}`);
      if (!name) return;
      const cols = row.map((cell, c) => (cell ? c : -1)).filter((c) => c >= 0);
      const usedLabels = new Set(cols.map((c) => labels.get(`${a}:${r}:${c}`)).filter(Boolean));
      (naming.rtl ? [...cols].reverse() : cols).forEach((c, i) => {
        const key = `${a}:${r}:${c}`;
        let text = labels.get(key);
        if (text === undefined) {
          let n = i + 1;
          while (usedLabels.has(`${name}${n}`)) n++;
          text = `${name}${n}`;
          usedLabels.add(text);
          labels.set(key, text);
        }
        if (!ids.has(key)) {
          let id = usedIds.has(text) ? `${area.number}-${text}` : text;
          for (let k = 2; usedIds.has(id); k++) id = `${area.number}-${text}-${k}`;
          usedIds.add(id);
          ids.set(key, id);
        }
      });
    }),
  );
  return { ids, labels, names };
}

export function toLayout(areas: AreaDraft[], categories: string[], naming: Naming): LayoutJson {
  const { ids, labels, names } = label(areas, naming);
  return {
    categories,
    areas: areas.map((area, a) => ({
      number: area.number,
      name: area.name,
      category: area.category ?? categories[0] ?? "standard",
      rows: area.cells
        .map((row, r) => ({
          name: names.get(`${a}:${r}`) ?? "",
          index: area.rowMeta[r]?.index ?? area.rowOffset + r,
          seats: row.flatMap((cell, c): LayoutSeat[] => {
            if (!cell) return [];
            const key = `${a}:${r}:${c}`;
            return [
              {
                id: ids.get(key)!,
                label: labels.get(key)!,
                position: { area: area.gridArea, row: area.rowOffset + r, column: area.colOffset + c },
                category: cell.category,
                flags: cell.flags,
                ...(cell.group ? { group: cell.group } : {}),
                ...(cell.externalId ? { external_id: cell.externalId } : {}),
              },
            ];
          }),
        }))
        .filter((row) => row.seats.length),
    })),
  };
}

export function fromLayout(layout: LayoutJson): AreaDraft[] {
  return layout.areas.map((area) => {
    const seats = area.rows.flatMap((row) => row.seats.map((s) => ({ row, s })));
    const rowOffset = seats.length ? Math.min(...seats.map(({ s }) => s.position.row)) : 0;
    const colOffset = seats.length ? Math.min(...seats.map(({ s }) => s.position.column)) : 0;
    const rows = Math.max(1, ...seats.map(({ s }) => s.position.row - rowOffset + 1));
    const cols = Math.max(1, ...seats.map(({ s }) => s.position.column - colOffset + 1));
    const cells = emptyGrid(rows, cols);
    const rowMeta: RowMeta[] = Array.from({ length: rows }, () => ({}));
    for (const { row, s } of seats) {
      const r = s.position.row - rowOffset;
      cells[r][s.position.column - colOffset] = {
        category: s.category,
        flags: [...(s.flags ?? [])],
        group: s.group ?? undefined,
        ...(row.name && s.label.startsWith(row.name)
          ? { number: s.label.slice(row.name.length) }
          : { label: s.label }),
        ...(s.id === s.label ? { idIsLabel: true } : { id: s.id }),
        externalId: s.external_id ?? undefined,
      };
      rowMeta[r] = { name: row.name, index: row.index };
    }
    return {
      name: area.name,
      number: area.number,
      category: area.category,
      rows,
      cols,
      cells,
      rowMeta,
      rowOffset,
      colOffset,
      gridArea: seats[0]?.s.position.area ?? area.number,
    };
  });
}

/** CSV: area,row,column,category,flags,group (flags separated by "|"); a header line is skipped. */
export function parseCsv(text: string): { areas: AreaDraft[]; categories: string[] } {
  const byArea = new Map<number, { row: number; col: number; cell: Cell }[]>();
  const categories = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const parts = line.split(",").map((p) => p.trim());
    if (parts.length < 4 || Number.isNaN(Number(parts[0]))) continue;
    const [area, row, col, category, flags = "", group = ""] = parts;
    categories.add(category);
    const list = byArea.get(Number(area)) ?? [];
    list.push({
      row: Number(row),
      col: Number(col),
      cell: { category, flags: flags ? flags.split("|") : [], group: group || undefined },
    });
    byArea.set(Number(area), list);
  }
  const areas = [...byArea.keys()]
    .sort((a, b) => a - b)
    .map((a) => {
      const seats = byArea.get(a)!;
      const rows = Math.max(...seats.map((s) => s.row + 1));
      const cols = Math.max(...seats.map((s) => s.col + 1));
      const draft = newArea(a, `Area ${a + 1}`, rows, cols);
      for (const s of seats) draft.cells[s.row][s.col] = s.cell;
      return draft;
    });
  return { areas, categories: [...categories] };
}
