// Installs what the Tensor class delegates to: its chaining methods (x.add(y).sum()) call the
// numpy namespace, its reads concretize through the trace, its toString prints.
import { installTensorOps } from "../tensor.js";
import { setConcreteEval, toConcrete } from "../trace.js";
import { evalConcrete } from "../lazy.js";
import { formatTensor } from "../format.js";
import * as convert from "./convert.js";
import * as creation from "./creation.js";
import * as math from "./math.js";
import * as logic from "./logic.js";
import * as bitwise from "./bitwise.js";
import * as shape from "./shape.js";
import * as indexing from "./indexing.js";
import * as advanced from "./advanced-indexing.js";
import * as sorting from "./sorting.js";
import * as cumulative from "./cumulative.js";
import * as reductions from "./reductions.js";
import * as linalg from "./linalg.js";
import * as checks from "./checks.js";
import * as mathMore from "./math-more.js";
import * as reductionsMore from "./reductions-more.js";
import * as shapeMore from "./shape-more.js";
import * as stats from "./stats.js";
import * as creationMore from "./creation-more.js";
import * as quantile from "./quantile.js";

// conversion errors name the export the user called (np.multiply, not the internal "array")
for (const mod of [creation, math, logic, bitwise, shape, indexing, advanced, sorting, cumulative, reductions, linalg, checks, mathMore, reductionsMore, shapeMore, stats, creationMore, quantile]) convert.nameApis(mod);

setConcreteEval(evalConcrete);
installTensorOps({ toConcrete, format: formatTensor, np: { ...convert, ...creation, ...math, ...logic, ...bitwise, ...shape, ...indexing, ...advanced, ...sorting, ...cumulative, ...reductions, ...linalg, ...checks, ...mathMore, ...reductionsMore, ...shapeMore, ...stats, ...creationMore, ...quantile } });
