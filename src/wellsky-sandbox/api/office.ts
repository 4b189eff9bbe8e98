/** Office-side resources: `adminTasks/` (to-dos), `profileTags/` and `referralsource/` lists. */
import type { RequestHandler, Router } from 'express';
import { parsePaging } from '../bundle';
import type { SandboxContext } from '../context';
import type { AdminTask } from '../resources';
import { clone } from '../resources';
import { assertAgencyTag, assertBmpOnly, notFound, unprocessable } from '../rules';
import { pageIndex } from '../quirks';
import { body, param, searchParams } from './params';

export function mountOffice(router: Router, ctx: SandboxContext, auth: RequestHandler): void {
  router.post('/v1/adminTasks/', auth, (req, res) => {
    const b = body(req);
    assertBmpOnly(b);
    assertAgencyTag(b.meta, ctx.agencyId);
    if (typeof b.description !== 'string' || !b.description.trim()) throw unprocessable('description is required');
    if (b.description.length > 5000) throw unprocessable(`description is ${b.description.length} characters; the limit is 5000`);
    if (b.executionDate !== undefined && (typeof b.executionDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(b.executionDate))) {
      throw unprocessable('executionDate must be YYYY-MM-DD');
    }
    if (b.dueDate !== undefined && (typeof b.dueDate !== 'string' || !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(b.dueDate))) {
      throw unprocessable('dueDate must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS');
    }
    const task = { ...clone(b), id: ctx.ids.take('adminTask') } as AdminTask;
    ctx.state.adminTasks.push(task);
    res.status(201).json({ id: task.id });
  });

  router.get('/v1/profileTags/', auth, (req, res) => {
    // Vendor reference: _count defaults to 100 and _page starts at 1 here (switchable).
    const asked = parsePaging(searchParams(req), 100);
    res.json(ctx.bundles.bundle(ctx.state.profileTags, { ...asked, page: pageIndex(ctx, asked.page) }));
  });

  router.get('/v1/profileTags/:id/', auth, (req, res) => {
    const tag = ctx.state.profileTags.find((t) => String(t.id) === param(req, 'id'));
    if (!tag) throw notFound(`ProfileTag ${param(req, 'id')}`);
    res.json(tag);
  });

  router.get('/v1/referralsource/', auth, (req, res) => {
    res.json(ctx.bundles.bundle(ctx.state.referralSources, parsePaging(searchParams(req))));
  });
}
