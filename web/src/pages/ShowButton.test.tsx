import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { I18nProvider } from "../i18n";
import { ShowButton } from "./Movie";

type Show = Schemas["ShowOut"];

const base: Show = {
  id: "shw_1",
  movie_id: "mov_1",
  theatre_id: "thr_1",
  screen_id: "scr_1",
  screen_name: "Screen 1",
  start: "2026-12-05T08:30:00Z",
  end: "2026-12-05T11:00:00Z",
  local_start: "2026-12-05T14:00:00+05:30",
  business_date: "2026-12-05",
  language: "ta",
  format: "2D",
  prices: [],
};

afterEach(cleanup);

describe("show-time buttons", () => {
  it("shows at the same time say what differs: screen, format and experience, subtitles", () => {
    localStorage.setItem("marquee.language", "en");
    const shows: Show[] = [
      base,
      { ...base, id: "shw_2", screen_id: "scr_2", screen_name: "Audi 2", format: "3D" },
      {
        ...base,
        id: "shw_3",
        screen_id: "scr_3",
        screen_name: "Audi 3",
        experiences: ["DBOX"],
        subtitle_language: "en",
      },
    ];
    render(
      <I18nProvider>
        <MemoryRouter>
          {shows.map((s) => (
            <ShowButton key={s.id} show={s} tz="Asia/Kolkata" />
          ))}
        </MemoryRouter>
      </I18nProvider>,
    );
    const links = screen.getAllByRole("link");
    const texts = links.map((a) => a.textContent);
    expect(new Set(texts).size).toBe(3);
    expect(texts.every((x) => x?.startsWith("2:00 PM"))).toBe(true);
    expect(texts[0]).toContain("Screen 1");
    expect(texts[0]).toContain("Tamil");
    expect(texts[1]).toContain("Audi 2");
    expect(texts[1]).toContain("3D");
    expect(texts[2]).toContain("2D DBOX");
    expect(texts[2]).toContain("English subtitles");
    expect(links[2].getAttribute("title")).toBe("2:00 PM, Audi 3, 2D DBOX, Tamil");
  });
});
