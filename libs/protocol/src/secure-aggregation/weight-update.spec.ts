import { applyUpdate, flattenUpdate, updateLength } from './weight-update';

describe('flattening an update in the task order', () => {
  const base = [
    { name: 'a/kernel', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
    { name: 'a/bias', shape: [2], data: Float32Array.from([0.5, -0.5]) },
  ];
  it('takes trained − base in the base order, matching tensors by name', () => {
    const trained = [
      { name: 'a/bias', shape: [2], data: Float32Array.from([1, 0]) },
      { name: 'a/kernel', shape: [2, 2], data: Float32Array.from([1, 1, 3, 5]) },
    ];
    expect(updateLength(base)).toBe(6);
    expect(Array.from(flattenUpdate(trained, base))).toEqual([0, -1, 0, 1, 0.5, 0.5]);
    expect(applyUpdate(base, flattenUpdate(trained, base))).toEqual([trained[1], trained[0]]);
  });
  it('refuses a layout that differs from the task', () => {
    expect(() => flattenUpdate([base[0]!], base)).toThrow('the trained weights have 1 tensors, the task\'s 2');
    expect(() => flattenUpdate([base[0]!, { ...base[1]!, name: 'b' }], base)).toThrow("the trained weights lack tensor 'a/bias'");
    expect(() => flattenUpdate([base[0]!, { ...base[1]!, data: new Float32Array(3) }], base)).toThrow("tensor 'a/bias' has 3 values, the task's 2");
    expect(() => applyUpdate(base, new Float32Array(5))).toThrow('an update of 5 values for weights of 6');
  });
});
