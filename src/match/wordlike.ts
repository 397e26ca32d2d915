// Interim word-likeness (replaced by the trained model): how much a value reads like words rather than random.
const COMMON_BIGRAMS = new Set('th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns ge ly ei os no pe do su pa ec ac ot di ol tr sh us ss wo rd ad em ke ey ow ss un ap ag ct ia ie ok pp'.split(' '));

export function wordLikeness(value: string): number {
  const letters = value.toLowerCase().replace(/[^a-z]+/g, ' ').trim();
  if (letters.length < 3) return 0;
  let pairs = 0;
  let common = 0;
  for (const w of letters.split(' ')) {
    for (let i = 1; i < w.length; i++) {
      pairs++;
      if (COMMON_BIGRAMS.has(w.slice(i - 1, i + 1))) common++;
    }
  }
  if (!pairs) return 0;
  const letterShare = letters.replace(/ /g, '').length / value.length;
  return Math.min(1, (common / pairs) * 1.6) * letterShare;
}
