export const BIG_SHOW = "shw_e2e_big";
export const RACE_SHOW = "shw_e2e_race";
export const CITY = "Testville";
