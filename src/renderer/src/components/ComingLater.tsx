/** A screen whose feature has not landed yet: what it will do, when, and what works today. */
import type { ReactNode } from 'react';
import { screenHash, type ScreenId } from '../store/screen';
import { TextWithCode } from './TextWithCode';

interface ComingLaterProps {
  /** What the screen is for, ending with which issue brings it. */
  purpose: string;
  /** What a person can do about it today. */
  today: string;
  links?: ReadonlyArray<{ screen: ScreenId; label: string }>;
  children?: ReactNode;
}

export function ComingLater({ purpose, today, links = [], children }: ComingLaterProps) {
  return (
    <div className="coming-later">
      <p className="coming-later-purpose">
        <TextWithCode text={purpose} />
      </p>
      <p>
        <span className="tag">Today</span> <TextWithCode text={today} />
      </p>
      {children}
      {links.length > 0 && (
        <p className="coming-later-links">
          {links.map((link) => (
            <a key={link.screen} href={screenHash(link.screen)}>
              {link.label} →
            </a>
          ))}
        </p>
      )}
    </div>
  );
}
