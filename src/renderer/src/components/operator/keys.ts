/** The Operator screen's keys, as the shortcuts overlay lists them (the screen binds them). */
export const OPERATOR_SHORTCUTS: ReadonlyArray<[readonly string[], string]> = [
  [['n'], 'New run (the cursor lands on its goal)'],
  [['j'], 'Next run'],
  [['k'], 'Previous run'],
  [['p'], 'Pause or resume it'],
  [['t'], "Take over the host's terminal (Ctrl-] hands it back)"],
  [['x'], 'Stop it (asks first)'],
  [['m'], 'Write a note to the model'],
  [['Esc'], 'Close the form, or cancel the stop'],
];
