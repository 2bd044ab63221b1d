// Writes events/<type>.schema.json for every event in the catalog.
import { writeFileSync } from 'node:fs';
import { EVENT_CATALOG, type EventType, eventDetailJsonSchema } from '../functions/shared/events/catalog';

for (const type of Object.keys(EVENT_CATALOG) as EventType[]) {
  writeFileSync(`events/${type}.schema.json`, `${JSON.stringify(eventDetailJsonSchema(type), null, 2)}\n`);
  console.log(`events/${type}.schema.json`);
}
