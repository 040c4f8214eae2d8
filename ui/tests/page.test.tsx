import { describe, expect, it } from 'vitest';
import { Page } from '../src/components/Page';
import { render } from './render';

describe('a screen of the desk', () => {
  it('shows its title as the heading, the subtitle and actions in the header, then its content', () => {
    const host = render(
      <Page title="Vehicles" subtitle="Every customer's vehicles" actions={<button>+ New vehicle</button>} className="vehicles">
        <table aria-label="list" />
      </Page>,
    );
    const page = host.firstElementChild!;
    expect(page.className).toBe('vehicles');
    expect(page.querySelector('h1')!.textContent).toBe('Vehicles');
    expect(page.querySelector('.subtitle')!.textContent).toBe("Every customer's vehicles");
    expect(page.querySelector('.page-actions button')!.textContent).toBe('+ New vehicle');
    // the header comes first, the content after it
    expect(page.children[0].className).toBe('page-header');
    expect(page.children[1].getAttribute('aria-label')).toBe('list');
  });

  it('leaves out the subtitle and the actions it was not given, and has no class of its own', () => {
    const host = render(
      <Page title="Users">
        <p>none</p>
      </Page>,
    );
    const page = host.firstElementChild!;
    expect(page.hasAttribute('class')).toBe(false);
    expect(page.querySelector('.subtitle')).toBeNull();
    expect(page.querySelector('.page-actions')).toBeNull();
    expect(page.textContent).toBe('Usersnone');
  });
});
