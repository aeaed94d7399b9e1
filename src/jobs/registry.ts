/** Every task the county job runs, in order. Feature folders contribute theirs here. */
import { incidentEscalationTask } from '../incidents/task';
import { CORE_TASKS, type Task } from './tasks';

export const TASKS: Task[] = [...CORE_TASKS, incidentEscalationTask];
